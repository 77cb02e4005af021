"""``{% rating_form token legend="…" %}``: the five-level 好差评 form, the same on every page."""

from django import template

from govhub.ratings.models import RatingLevel

register = template.Library()


@register.inclusion_tag("ratings/_form.html", takes_context=True)
def rating_form(context, token: str, legend: str = "", action: str = "", no_contact=False):
    return {
        "csrf_token": context.get("csrf_token"),
        "token": token,
        "legend": legend,
        "action": action,
        "no_contact": no_contact,
        "levels": list(RatingLevel.choices),
        "form": {},
        "errors": {},
    }
