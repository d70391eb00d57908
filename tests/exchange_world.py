"""Exchange objects for the access matrix, phone and page-query worlds (issue 18.3): per location a
staged package with a real preview (a package of the cell, signed by this instance's own key, which
it trusts; a member's phone changed after the export, so the preview shows one change): the
office's upload on C1 ("in") and the admin's on C2 ("out")."""

from __future__ import annotations

from typing import Any


def exchange_objects(tree, settings, tmp_path) -> dict[str, Any]:
    from dangvu.exchange import keys
    from dangvu.exchange import services as xs
    from dangvu.exchange.models import TrustedKey
    from dangvu.registry.models import Member

    settings.DANGVU_HOME = tmp_path
    own = keys.public_text(keys.sender_key())
    if not TrustedKey.objects.filter(public_key=own).exists():
        xs.trust_key(None, own, "Máy này")
    out = {}
    for loc, cell, scope, user in (("in", "C1A", "C1", "office"), ("out", "C2A", "C2", "admin")):
        content = xs.export_package(None, tree.orgs[cell])
        member = Member.objects.filter(organization=tree.orgs[cell]).order_by("pk").first()
        Member.objects.filter(pk=member.pk).update(phone="0987654321")
        out[loc], _result = xs.stage_upload(tree.users[user], tree.orgs[scope], f"goi-{cell.lower()}.zip", content)
    return out
