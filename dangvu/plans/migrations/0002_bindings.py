"""A target's single ``indicator``/``params``/``confirmed*`` become zero or more Binding rows;
``proposed_indicator`` becomes the ``proposed`` list (the reader's proposals, as read).

Carried over: a bound target gets one binding with its key, params and confirmation (who, when);
it counts as the reader's when its key is the one the reader proposed, else as added by the
person who confirmed it. A manual target gets no binding (its old confirmation has nothing to
attach to; the audit log keeps it). Reversible: the first binding goes back into the old fields.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def carry_over(apps, schema_editor):
    Target = apps.get_model("plans", "Target")
    Binding = apps.get_model("plans", "Binding")
    bindings, proposed = [], []
    rows = Target.objects.select_related("plan").order_by("pk")
    for t in rows.iterator(chunk_size=2000):
        if t.proposed_indicator:
            t.proposed = [{"indicator": t.proposed_indicator, "params": {}}]
            proposed.append(t)
        if not t.indicator:
            continue
        reader = t.indicator == t.proposed_indicator
        bindings.append(Binding(
            target_id=t.pk, position=0, indicator=t.indicator, params=t.params or {},
            source="reader" if reader else "person", added_by_id=None if reader else t.confirmed_by_id,
            added_at=t.plan.created_at if reader or not t.confirmed_at else t.confirmed_at,
            confirmed=t.confirmed, confirmed_by_id=t.confirmed_by_id if t.confirmed else None,
            confirmed_at=t.confirmed_at if t.confirmed else None))
    Target.objects.bulk_update(proposed, ["proposed"], batch_size=2000)
    Binding.objects.bulk_create(bindings, batch_size=2000)


def carry_back(apps, schema_editor):
    Target = apps.get_model("plans", "Target")
    changed = []
    for t in Target.objects.prefetch_related("bindings").order_by("pk").iterator(chunk_size=2000):
        first = next(iter(sorted(t.bindings.all(), key=lambda b: (b.position, b.pk))), None)
        t.proposed_indicator = (t.proposed or [{}])[0].get("indicator", "")[:80] if t.proposed else ""
        if first is not None:
            t.indicator, t.params = first.indicator, first.params
            t.confirmed, t.confirmed_by_id, t.confirmed_at = first.confirmed, first.confirmed_by_id, first.confirmed_at
        changed.append(t)
    Target.objects.bulk_update(changed, ["proposed_indicator", "indicator", "params", "confirmed", "confirmed_by",
                                         "confirmed_at"], batch_size=2000)


class Migration(migrations.Migration):

    dependencies = [
        ("plans", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name="Binding",
            fields=[
                ("id", models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name="ID")),
                ("position", models.PositiveSmallIntegerField(default=0)),
                ("indicator", models.CharField(max_length=80, verbose_name="chỉ số đo")),
                ("params", models.JSONField(blank=True, default=dict, verbose_name="tham số của chỉ số")),
                ("source", models.CharField(choices=[("reader", "Máy đọc văn bản đề xuất"),
                                                     ("person", "Người duyệt thêm")],
                                            default="person", max_length=10, verbose_name="nguồn")),
                ("added_at", models.DateTimeField(default=django.utils.timezone.now)),
                ("confirmed", models.BooleanField(default=False, verbose_name="đã xác nhận")),
                ("confirmed_at", models.DateTimeField(blank=True, null=True)),
                ("added_by", models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL,
                                               related_name="+", to=settings.AUTH_USER_MODEL)),
                ("confirmed_by", models.ForeignKey(blank=True, null=True,
                                                   on_delete=django.db.models.deletion.SET_NULL, related_name="+",
                                                   to=settings.AUTH_USER_MODEL)),
                ("target", models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name="bindings",
                                             to="plans.target")),
            ],
            options={
                "verbose_name": "cách đo chỉ tiêu",
                "verbose_name_plural": "cách đo chỉ tiêu",
                "ordering": ["position", "id"],
            },
        ),
        migrations.AddField(
            model_name="target",
            name="proposed",
            field=models.JSONField(blank=True, default=list,
                                   help_text="như máy đọc: [{indicator, params}], kể cả đề xuất không dùng được",
                                   verbose_name="cách đo do máy đề xuất"),
        ),
        migrations.RunPython(carry_over, carry_back),
        migrations.RemoveField(model_name="target", name="indicator"),
        migrations.RemoveField(model_name="target", name="params"),
        migrations.RemoveField(model_name="target", name="proposed_indicator"),
        migrations.RemoveField(model_name="target", name="confirmed"),
        migrations.RemoveField(model_name="target", name="confirmed_by"),
        migrations.RemoveField(model_name="target", name="confirmed_at"),
    ]
