"""Form pieces both audiences use."""

from django import forms

from intake.uploads import EXTENSIONS

# A hint for the browser's file picker; the service checks the real content.
ACCEPTED_EXTENSIONS = ",".join(sorted(f".{extension}" for extensions in EXTENSIONS.values() for extension in extensions))


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files under one name; the service checks count, size and type."""

    def __init__(self, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else [data]
        return [super(MultipleFileField, self).clean(item, initial) for item in files if item]
