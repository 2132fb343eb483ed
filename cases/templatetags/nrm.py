from django import forms, template

register = template.Library()


def _css_class(widget) -> str:
    if isinstance(widget, (forms.CheckboxInput,)):
        return "form-check-input"
    if isinstance(widget, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return ""
    if isinstance(widget, (forms.Select, forms.SelectMultiple)):
        return "form-select form-select-sm"
    return "form-control form-control-sm"


@register.simple_tag
def widget(field):
    """Render a bound field with the CSS class and the ARIA links to its help text and errors."""
    attrs = {}
    css = _css_class(field.field.widget)
    existing = field.field.widget.attrs.get("class", "")
    if css:
        attrs["class"] = f"{existing} {css}".strip()
    described = []
    if field.help_text:
        described.append(f"{field.auto_id}_helptext")
    if field.errors:
        described.append(f"{field.auto_id}_error")
        attrs["aria-invalid"] = "true"
        attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
    if described:
        attrs["aria-describedby"] = " ".join(described)
    return field.as_widget(attrs=attrs)


@register.filter
def widget_kind(field) -> str:
    w = field.field.widget
    if isinstance(w, (forms.CheckboxSelectMultiple, forms.RadioSelect)):
        return "choices"
    if isinstance(w, forms.CheckboxInput):
        return "checkbox"
    if isinstance(w, forms.HiddenInput):
        return "hidden"
    return "input"


@register.filter
def money(value) -> str:
    """An amount in the reader's form with its thousands grouped: 4 500,50 (lv), 4,500.50 (en)."""
    from cases.forms import format_amount

    if value in (None, ""):
        return ""
    return format_amount(value)
