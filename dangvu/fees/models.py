"""Party fees: the basis each member pays from, the cell's monthly book and its entries, the share
a committee lets its cells keep, and remittances up the tree.

Models hold data only; every write goes through :mod:`dangvu.fees.services`, the rules (rates,
rounding, shares) live in :mod:`dangvu.core.fees`. Money is integer đồng everywhere. A month is
stored as the date of its first day.

Payments are append-only: a correction is a new entry (``kind=correction``) carrying the signed
difference and its reason, pointing at the entry it corrects, so the book shows both and what a
member paid for a month is the sum of the entries for that month.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.core.fees import CATEGORY_LABELS, FeeCategory
from dangvu.registry.models import Member, Organization


class FeeBasis(models.Model):
    """What a member's monthly fee is computed from, from ``starts_on`` (a month's first day) until
    the next basis of the same member."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="fee_bases",
                               verbose_name="đảng viên")
    category = models.CharField("đối tượng", max_length=16,
                                choices=[(c.value, CATEGORY_LABELS[c]) for c in FeeCategory])
    base = models.BigIntegerField("khoản tính đảng phí (đồng/tháng)")
    past_working_age = models.BooleanField("quá tuổi lao động", default=False)
    starts_on = models.DateField("áp dụng từ tháng")
    note = models.CharField("ghi chú", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "căn cứ đóng đảng phí"
        ordering = ["member_id", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["member", "starts_on"], name="fee_basis_one_per_month")]


class FeeBook(models.Model):
    """Sổ thu đảng phí: one cell's collection in one month (who collected, when)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fee_books",
                                     verbose_name="chi bộ")
    month = models.DateField("tháng")
    collected_by = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                                     verbose_name="người thu")
    collected_on = models.DateField("ngày thu", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        verbose_name = "sổ thu đảng phí tháng"
        ordering = ["organization_id", "-month"]
        constraints = [models.UniqueConstraint(fields=["organization", "month"], name="fee_book_one_per_month")]


class PaymentKind(models.TextChoices):
    PAYMENT = "payment", "Nộp"
    EXCUSED = "excused", "Miễn, chưa nộp có lý do"
    CORRECTION = "correction", "Đính chính"


class FeePayment(models.Model):
    """One line of a book: a member's payment for ``month`` (which may be a later month when paying
    ahead, or an earlier one when catching up), a month excused with its reason, or a correction."""

    book = models.ForeignKey(FeeBook, on_delete=models.PROTECT, related_name="payments", verbose_name="sổ thu")
    member = models.ForeignKey(Member, on_delete=models.PROTECT, related_name="fee_payments",
                               verbose_name="đảng viên")
    month = models.DateField("nộp cho tháng")
    kind = models.CharField("loại", max_length=12, choices=PaymentKind.choices, default=PaymentKind.PAYMENT)
    amount = models.BigIntegerField("số tiền (đồng)")  # signed only for a correction
    due = models.BigIntegerField("phải nộp (đồng)")  # what was due for ``month`` when written
    reason = models.CharField("lý do", max_length=255, blank=True)
    corrects = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="corrections", verbose_name="đính chính dòng")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "khoản nộp đảng phí"
        ordering = ["book_id", "member_id", "month", "id"]
        indexes = [models.Index(fields=["member", "month"], name="fee_payment_member_month"),
                   models.Index(fields=["month", "book"], name="fee_payment_month_book")]


class FeeShare(models.Model):
    """The share (percent) of what its cells collect that a committee lets them keep, from a month on
    (Quyết định 342-QĐ/TW: within the rule set's range for cells of a đảng bộ cơ sở)."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="fee_shares",
                                     verbose_name="đảng bộ")
    kept_percent = models.PositiveSmallIntegerField("chi bộ được để lại (%)")
    starts_on = models.DateField("áp dụng từ tháng")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = "tỷ lệ trích để lại"
        ordering = ["organization_id", "-starts_on"]
        constraints = [models.UniqueConstraint(fields=["organization", "starts_on"], name="fee_share_one_per_month")]


class FeeRemittance(models.Model):
    """Nộp đảng phí lên cấp trên: what ``sender`` sent ``receiver`` for ``month``, recorded by the
    sender; the receiver confirms what arrived (which may differ)."""

    sender = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="fee_remittances_sent",
                               verbose_name="tổ chức nộp")
    receiver = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="fee_remittances_received",
                                 verbose_name="cấp nhận")
    month = models.DateField("đảng phí tháng")
    amount = models.BigIntegerField("số tiền nộp (đồng)")
    sent_on = models.DateField("ngày nộp")
    note = models.CharField("ghi chú", max_length=255, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)
    confirmed_amount = models.BigIntegerField("số tiền nhận (đồng)", null=True, blank=True)
    confirmed_on = models.DateField("ngày xác nhận", null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")

    class Meta:
        verbose_name = "khoản nộp cấp trên"
        ordering = ["sender_id", "-month", "id"]
        indexes = [models.Index(fields=["receiver", "month"], name="fee_remit_receiver_month"),
                   models.Index(fields=["sender", "month"], name="fee_remit_sender_month")]
