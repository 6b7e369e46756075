"""How form fields render on every page of both audiences."""

from django.forms.renderers import DjangoTemplates
from django.template import TemplateDoesNotExist
from django.template.loader import get_template


class ProjectFormRenderer(DjangoTemplates):
    """Django's form renderer with the project's field template, so that
    `{{ field.as_field_group }}` gives our markup: the label (marked optional when
    it is), help text and errors under the ids the widget's aria-describedby names.

    A template in the project's templates/ comes first; widget templates come from
    Django's own set, which the project's template engine does not look in."""

    field_template_name = "includes/field.html"

    def get_template(self, template_name):
        try:
            return get_template(template_name)
        except TemplateDoesNotExist:
            return super().get_template(template_name)
