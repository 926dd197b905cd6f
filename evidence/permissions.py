"""Who may see and handle evidence (証拠) — more tightly than the records:

- the supervisors and managers of the department the evidence belongs to, and the
  specialist section, see and handle it;
- a member of staff sees what they uploaded themselves, and adds evidence to the
  contacts of their department;
- the administrator never.
Every read of a file is a custody event (``services.evidence_open``)."""

from accounts import permissions as base

from . import subjects


def may_view(user, evidence) -> bool:
    if not base.handles_contacts(user):
        return False
    if evidence.post_id:  # an online post's evidence: the post's audience (online.permissions)
        from online.permissions import may_see_post

        return may_see_post(user, evidence.post)
    if evidence.subject_type_id:  # a registered subject's evidence: whom its app says (evidence.subjects)
        found = subjects.subject_of(evidence)
        return found is not None and found[0].may_view(user, found[1])
    if base.is_specialist(user) or base.is_department_responder(user, evidence.department_id):
        return True
    return evidence.uploaded_by_id == user.pk


def may_add_to(user, department_id: int | None) -> bool:
    """Add evidence to a contact or case of ``department_id``."""
    return base.handles_contacts(user) and (base.is_specialist(user) or user.department_id == department_id)


def may_manage(user, evidence) -> bool:
    """Hand over, hold, delete: the department's supervisors and managers, the specialist section
    (an online post's evidence: the specialist section)."""
    if evidence.post_id:
        return base.is_specialist(user)
    if evidence.subject_type_id:
        found = subjects.subject_of(evidence)
        return found is not None and found[0].may_manage(user, found[1])
    return base.is_specialist(user) or base.is_department_responder(user, evidence.department_id)


def may_add_to_post(user, post) -> bool:
    """Add screenshots and saved pages to an online post: its audience (online.permissions)."""
    from online.permissions import may_see_post

    return may_see_post(user, post)


# transcripts (issue 14): who reads and who writes a recording's transcript (反訳書)
def may_view_transcript(user, evidence) -> bool:
    """Whoever may see the recording reads its transcript (it is the recording's words)."""
    return may_view(user, evidence)


def may_edit_transcript(user, evidence) -> bool:
    """Type, import, correct or draft a transcript: the department's supervisors and managers,
    the specialist section, and the member of staff who uploaded the recording (they were usually
    there, and know who spoke) — the same people who may see it; never for deleted evidence."""
    return evidence.deleted_at is None and may_view(user, evidence)


# --- export stream (issue 14) ---


def may_export_case(user, case) -> bool:
    """Export a case's evidence (ZIP, 証拠一覧) and record its hand-over to the police:
    the department's supervisors and managers, and the specialist section."""
    if not base.handles_contacts(user):
        return False
    return base.is_specialist(user) or base.is_department_responder(user, case.department_id)
