import uuid
from datetime import UTC, datetime

from apps.audit.models import AuditEntry
from apps.audit.selectors import audit_entries_for_target
from apps.audit.services import audit_record


def test_an_entry_keeps_who_did_what_to_which_thing(tenant, user):
    target = uuid.uuid4()

    entry = audit_record(
        tenant=tenant,
        user=user,
        action="export.requested",
        target_type="export",
        target_id=target,
        details={"start": datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "camera_id": target},
    )

    stored = AuditEntry.objects.get(pk=entry.pk)
    assert (stored.tenant, stored.user, stored.action) == (tenant, user, "export.requested")
    assert (stored.target_type, stored.target_id) == ("export", str(target))
    assert stored.details == {"start": "2026-11-23T10:00:00Z", "camera_id": str(target)}
    assert stored.at is not None


def test_the_system_acts_without_a_user(tenant):
    entry = audit_record(
        tenant=tenant, user=None, action="export.completed", target_type="export", target_id="x"
    )

    assert entry.user is None
    assert entry.details == {}


def test_entries_about_a_thing_are_read_per_tenant(tenant, other_tenant, user):
    audit_record(tenant=tenant, user=user, action="a", target_type="export", target_id="1")
    audit_record(tenant=tenant, user=user, action="b", target_type="export", target_id="1")
    audit_record(tenant=other_tenant, user=None, action="c", target_type="export", target_id="1")

    entries = audit_entries_for_target(tenant_id=tenant.id, target_type="export", target_id="1")

    assert [entry.action for entry in entries] == ["a", "b"]


def test_the_admin_shows_the_log_but_cannot_add_change_or_delete(admin_client, tenant):
    entry = audit_record(
        tenant=tenant, user=None, action="export.failed", target_type="export", target_id="9"
    )

    listing = admin_client.get("/admin/audit/auditentry/")
    add = admin_client.get("/admin/audit/auditentry/add/")
    delete = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/delete/", {"post": "yes"})
    change = admin_client.post(f"/admin/audit/auditentry/{entry.pk}/change/", {"action": "edited"})

    assert listing.status_code == 200
    assert b"export.failed" in listing.content
    assert add.status_code == delete.status_code == change.status_code == 403
    assert AuditEntry.objects.get(pk=entry.pk).action == "export.failed"
