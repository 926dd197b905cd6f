"""What disclosure adds to other apps' pages, registered in ``DisclosureConfig.ready()``. Reads only.

- the resident's page (``people.resident_detail`` slot ``bottom``): the personal-data requests about
  the resident and the buttons to receive one (the specialist section only);
- the contact's page (``records.contact_detail`` slot ``main``): corrections decided 訂正する and
  kept as annotations (付記) of this contact, for whoever may see the contact."""

from mamoru.lib.panels import register_panel

from . import permissions, selectors


def resident_requests_panel(*, request, obj):
    if not permissions.may_handle_requests(request.user):
        return None
    return {
        "resident": obj,
        "disclosure_requests": list(selectors.disclosure_requests_of_resident(user=request.user, resident=obj)[:20]),
        "corrections": list(selectors.corrections_of_resident(user=request.user, resident=obj)[:20]),
    }


def contact_annotations_panel(*, request, obj):
    annotations = list(selectors.annotations_of_item(item_key=f"records.contact:{obj.pk}"))
    if not annotations:
        return None
    return {"annotations": annotations}


def register() -> None:
    register_panel(
        page="people.resident_detail",
        slot="bottom",
        name="disclosure.resident_requests",
        template="disclosure/_resident_requests.html",
        context=resident_requests_panel,
        order=50,
    )
    register_panel(
        page="records.contact_detail",
        slot="main",
        name="disclosure.contact_annotations",
        template="disclosure/_contact_annotations.html",
        context=contact_annotations_panel,
        order=5,
    )
