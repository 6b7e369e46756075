"""How form fields render on every page of both audiences."""

from django.forms.renderers import TemplatesSetting


class ProjectFormRenderer(TemplatesSetting):
    """Django's form renderer over the project's template engine (so widget
    templates come from `django.forms`, an installed app), with the project's
    field template: `{{ field.as_field_group }}` gives our markup, the label
    (marked optional when it is), help text and errors under the ids the
    widget's aria-describedby names."""

    field_template_name = "includes/field.html"
