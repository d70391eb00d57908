"""Registry: the organization tree, its localities and posts, members and their history.

Models hold data only; every write goes through :mod:`dangvu.registry.services`.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.lookups import StartsWith
from treebeard.mp_tree import MP_Node, MP_NodeManager, MP_NodeQuerySet

from dangvu.core.lifecycle import DISCIPLINE_LABELS, EVENT_LABELS, STATUS_LABELS
from dangvu.core.special_status import KIND_LABELS as SPECIAL_KIND_LABELS
from dangvu.core.special_status import describe
from dangvu.core.text import fold


class OrgKind(models.TextChoices):
    PROVINCE = "province", "Đảng bộ tỉnh/thành phố"
    UPPER = "upper", "Đảng bộ cấp trên trực tiếp cơ sở"
    GRASSROOTS_COMMITTEE = "grassroots_committee", "Đảng bộ cơ sở"
    GRASSROOTS_CELL = "grassroots_cell", "Chi bộ cơ sở"
    SUB_COMMITTEE = "sub_committee", "Đảng bộ bộ phận"
    CELL = "cell", "Chi bộ trực thuộc"
    GROUP = "group", "Tổ đảng"


CELL_KINDS = (OrgKind.CELL, OrgKind.GRASSROOTS_CELL)
GRASSROOTS_KINDS = (OrgKind.GRASSROOTS_COMMITTEE, OrgKind.GRASSROOTS_CELL)
# Where a transfer letter may be addressed: a cell, or a grassroots committee (when the sender does
# not know the cell) which places the member in one of its cells when it receives them.
TRANSFER_DESTINATION_KINDS = (*CELL_KINDS, OrgKind.GRASSROOTS_COMMITTEE)


class Sector(models.TextChoices):
    RESIDENTIAL = "residential", "Thôn, bản, tổ dân phố"
    AGENCY = "agency", "Cơ quan"
    SCHOOL = "school", "Trường học"
    HEALTH = "health", "Y tế"
    SOE = "soe", "Doanh nghiệp nhà nước"
    PRIVATE = "private", "Doanh nghiệp tư nhân"
    MILITARY = "military", "Quân sự"
    POLICE = "police", "Công an"


class PathPrefix(StartsWith):
    """``path__subtree_of=P``: the materialized path starts with ``P`` (P's subtree).

    PostgreSQL and others keep ``LIKE 'P%'``, which the path's pattern index answers. SQLite's
    ``LIKE`` is case-insensitive and Django adds an ESCAPE clause, so it never uses the path
    index there and every subtree filter scanned the whole organization table; the same set is
    the range ``P <= path < P + (the character after the alphabet's last)``, which the unique
    index on ``path`` answers (paths hold only the upper-case alphabet, so the range is exact).
    """

    lookup_name = "subtree_of"

    def as_sql(self, compiler, connection):
        # The backends know the operator by its built-in name only ("startswith").
        return StartsWith(self.lhs, self.rhs).as_sql(compiler, connection)

    def as_sqlite(self, compiler, connection):
        if not isinstance(self.rhs, str):  # an expression: no literal bounds to compute
            return self.as_sql(compiler, connection)
        lhs, lhs_params = self.process_lhs(compiler, connection)
        prefix = self.rhs
        upper = prefix + chr(ord(max(Organization.alphabet)) + 1)
        return f"({lhs} >= %s AND {lhs} < %s)", (*lhs_params, prefix, *lhs_params, upper)


def subtree_q(*orgs: Organization | str, via: str = "") -> Q:
    """The condition "lies in the subtree of one of ``orgs``" (organizations or paths) on a model
    that reaches Organization through ``via`` (e.g. ``"organization__"``): the one place the
    subtree filter is written. No ``orgs`` matches nothing.

    Through ``via`` the condition is ``<via>in (the subtree's organization ids)``, not a join on
    the organizations' paths: the big table (members, attendances, …) is then read through its
    organization index for the subtree's organizations only, so the cost follows the subtree and
    not the database."""
    paths = [org if isinstance(org, str) else org.path for org in orgs]
    if not paths:
        return Q(pk__in=[])
    q = Q(path__subtree_of=paths[0])
    for path in paths[1:]:
        q |= Q(path__subtree_of=path)
    if not via:
        return q
    return Q(**{f"{via}in": Organization.objects.filter(q).values("pk")})


class Versioned(models.Model):
    """A record people edit in forms: each edit through a form counts a version and records who
    made it and when, so that a save over a newer version is refused instead of silently
    overwriting it (optimistic concurrency: :mod:`dangvu.common.versions` does the check)."""

    version = models.PositiveIntegerField("phiên bản", default=1, editable=False)
    edited_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+", editable=False, verbose_name="người sửa gần nhất")
    edited_at = models.DateTimeField("lúc sửa gần nhất", null=True, blank=True, editable=False)

    class Meta:
        abstract = True


class OrganizationQuerySet(MP_NodeQuerySet):
    def subtree(self, org: Organization | str) -> OrganizationQuerySet:
        """The organization and everything under it (its materialized path is a prefix)."""
        return self.filter(subtree_q(org))


class OrganizationManager(MP_NodeManager.from_queryset(OrganizationQuerySet)):
    def get_queryset(self) -> OrganizationQuerySet:
        return OrganizationQuerySet(self.model, using=self._db).order_by("path")


class Organization(Versioned, MP_Node):
    """A party organization; the tree is stored as a materialized path (django-treebeard)."""

    code = models.CharField("mã", max_length=40, unique=True)
    name = models.CharField("tên", max_length=255)
    kind = models.CharField("loại", max_length=32, choices=OrgKind.choices)
    sector = models.CharField("loại hình", max_length=16, choices=Sector.choices, blank=True)
    established_on = models.DateField("ngày thành lập", null=True, blank=True)
    dissolved_on = models.DateField("ngày giải thể", null=True, blank=True)
    address = models.CharField("địa chỉ", max_length=255, blank=True)

    node_order_by = ["code"]

    objects = OrganizationManager()

    class Meta:
        verbose_name = "tổ chức đảng"
        verbose_name_plural = "tổ chức đảng"

    def __str__(self) -> str:
        return self.name

    @property
    def is_cell(self) -> bool:
        return self.kind in CELL_KINDS


Organization._meta.get_field("path").register_lookup(PathPrefix)


class WorkingRules(models.Model):
    """Quy chế làm việc: when a committee issued or last updated its working rules."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="working_rules")
    issued_on = models.DateField("ngày ban hành")
    updated_on = models.DateField("ngày sửa đổi, bổ sung", null=True, blank=True)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["-issued_on"]
        verbose_name = "quy chế làm việc"

    @property
    def last_change(self):
        return self.updated_on or self.issued_on


class Gender(models.TextChoices):
    MALE = "male", "Nam"
    FEMALE = "female", "Nữ"


class MemberStatus(models.TextChoices):
    PROBATIONARY = "probationary", STATUS_LABELS["probationary"]
    FULL = "full", STATUS_LABELS["full"]
    EXEMPT = "exempt", STATUS_LABELS["exempt"]
    STRUCK_OFF = "struck_off", STATUS_LABELS["struck_off"]
    EXPELLED = "expelled", STATUS_LABELS["expelled"]
    DECEASED = "deceased", STATUS_LABELS["deceased"]


ACTIVE_STATUSES = ("probationary", "full", "exempt")


class TheoryLevel(models.TextChoices):
    NONE = "", "Chưa qua đào tạo"
    ELEMENTARY = "elementary", "Sơ cấp"
    INTERMEDIATE = "intermediate", "Trung cấp"
    ADVANCED = "advanced", "Cao cấp, cử nhân"


class PersonIdentity(models.Model):
    """Identity fields shared by a member's record and a prospect's (quần chúng ưu tú) record.

    Abstract: each model keeps its own table; ``cccd`` stays on each because only a member's
    is unique. The folded name (no tone marks, lower case) is what the name search compares.
    """

    full_name = models.CharField("họ và tên", max_length=120)
    name_folded = models.CharField(max_length=120, db_index=True, editable=False)
    birth_date = models.DateField("ngày sinh")
    gender = models.CharField("giới tính", max_length=8, choices=Gender.choices)
    ethnicity = models.CharField("dân tộc", max_length=40, default="Kinh")
    religion = models.CharField("tôn giáo", max_length=40, blank=True, default="Không")
    home_town = models.CharField("quê quán", max_length=255, blank=True)
    residence = models.CharField("nơi cư trú", max_length=255, blank=True)
    phone = models.CharField("điện thoại", max_length=20, blank=True)
    education = models.CharField("trình độ giáo dục phổ thông", max_length=20, blank=True)
    occupation = models.CharField("nghề nghiệp", max_length=120, blank=True)
    is_student = models.BooleanField("học sinh, sinh viên", default=False)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.full_name

    def save(self, *args, **kwargs):
        self.name_folded = fold(self.full_name)
        super().save(*args, **kwargs)


class MemberQuerySet(models.QuerySet):
    def active(self) -> MemberQuerySet:
        """Members who are in the Party now: probationary, full, or exempt from activities."""
        return self.filter(status__in=ACTIVE_STATUSES)

    def in_subtree(self, org: Organization | str) -> MemberQuerySet:
        """Members whose cell lies in the subtree of ``org`` (organization or path)."""
        return self.filter(subtree_q(org, via="organization__"))


class Member(Versioned, PersonIdentity):
    """Đảng viên: the personal record a cell keeps (personal data: always scoped)."""

    objects = MemberQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="members")
    cccd = models.CharField("số CCCD", max_length=12, unique=True, null=True, blank=True)
    qualification = models.CharField("chuyên môn, nghiệp vụ", max_length=120, blank=True)
    political_theory = models.CharField(
        "lý luận chính trị", max_length=16, choices=TheoryLevel.choices, blank=True, default=""
    )
    admitted_on = models.DateField("ngày vào Đảng", null=True, blank=True)
    full_on = models.DateField("ngày chính thức", null=True, blank=True)
    card_number = models.CharField("số thẻ đảng viên", max_length=20, blank=True)
    status = models.CharField("trạng thái", max_length=16, choices=MemberStatus.choices, db_index=True)
    resident = models.BooleanField("đảng viên tại chỗ", default=True)
    commune_official = models.BooleanField("cán bộ xã sinh hoạt tại chi bộ", default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name_folded", "id"]
        verbose_name = "đảng viên"
        verbose_name_plural = "đảng viên"
        indexes = [models.Index(fields=["organization", "status"])]

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES


class StatusChange(models.Model):
    """One lifecycle event in a member's history (the timeline)."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="history")
    event = models.CharField("sự kiện", max_length=24, choices=list(EVENT_LABELS.items()))
    on = models.DateField("ngày")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16, blank=True)
    from_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    note = models.TextField("ghi chú", blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["on", "id"]
        verbose_name = "biến động đảng viên"
        # (to_org, event, on): a subtree's admissions in a period are read for its organizations
        # only, not among every admission of the province in that period.
        # (member, event, on): a subtree's events in a period (the standard statistics' changes) are
        # read for its members only.
        indexes = [models.Index(fields=["event", "on"]), models.Index(fields=["to_org", "event", "on"]),
                   models.Index(fields=["member", "event", "on"])]

    def __str__(self) -> str:
        return f"{self.get_event_display()} {self.on:%d/%m/%Y}"


class SpecialStatusKind(models.TextChoices):
    TEMPORARY_EXEMPTION = "temporary_exemption", SPECIAL_KIND_LABELS["temporary_exemption"]
    AWAY = "away", SPECIAL_KIND_LABELS["away"]
    ABROAD = "abroad", SPECIAL_KIND_LABELS["abroad"]


class SpecialStatus(models.Model):
    """Tạm miễn sinh hoạt, đi làm ăn xa, ra nước ngoài: a dated period beside the member's status.

    The member stays on the rolls; the period ends on ``ends_on`` by itself (read by date, no job).
    Ending it early moves ``ends_on`` back and keeps the planned end in ``planned_end``. Written only
    by :func:`dangvu.registry.services.set_special_status` / ``end_special_status``, each with a
    :class:`StatusChange` in the member's history."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="special_statuses")
    kind = models.CharField("loại", max_length=24, choices=SpecialStatusKind.choices)
    starts_on = models.DateField("từ ngày")
    ends_on = models.DateField("đến ngày")
    planned_end = models.DateField("đến ngày (theo quyết định ban đầu)")
    place = models.CharField("nơi đến", max_length=255, blank=True)
    reason = models.CharField("lý do", max_length=255, blank=True)
    decision_number = models.CharField("số quyết định, nghị quyết chi bộ", max_length=60, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-starts_on", "-id"]
        verbose_name = "tạm miễn sinh hoạt, đi làm ăn xa, ra nước ngoài"
        verbose_name_plural = verbose_name
        # "Is this member in a period on this day": read from the index alone for each attendance row.
        indexes = [models.Index(fields=["member", "starts_on", "ends_on", "kind"], name="special_member_days_idx")]

    def __str__(self) -> str:
        return describe(self.kind, self.ends_on, self.place)


def special_status_q(member_ref: str, day_ref: str, kinds) -> models.Exists:
    """SQL "the member ``member_ref`` is in a period of one of ``kinds`` on the day ``day_ref``"
    (both names of the outer query's fields), e.g. for an attendance row:
    ``special_status_q("member_id", "meeting__held_on", kinds)``."""
    return models.Exists(SpecialStatus.objects.filter(
        member=models.OuterRef(member_ref), kind__in=list(kinds),
        starts_on__lte=models.OuterRef(day_ref), ends_on__gte=models.OuterRef(day_ref)))


class TransferKind(models.TextChoices):
    PERMANENT = "permanent", "Chính thức"
    TEMPORARY = "temporary", "Tạm thời"


class TransferState(models.TextChoices):
    PENDING = "pending", "Chờ nơi đến tiếp nhận"
    CONFIRMED = "confirmed", "Đã tiếp nhận"
    RETURNED = "returned", "Đã trở về"
    CANCELLED = "cancelled", "Đã hủy"


class Transfer(models.Model):
    """Chuyển sinh hoạt đảng; the receiving side confirms."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="transfers")
    kind = models.CharField("loại", max_length=12, choices=TransferKind.choices)
    from_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="transfers_out")
    to_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="transfers_in")
    cause_on = models.DateField("ngày chuyển công tác, nơi cư trú", null=True, blank=True)
    letter_on = models.DateField("ngày giấy giới thiệu")
    ends_on = models.DateField("đến ngày (chuyển tạm thời)", null=True, blank=True)
    confirmed_on = models.DateField("ngày tiếp nhận", null=True, blank=True)
    state = models.CharField("tình trạng", max_length=12, choices=TransferState.choices, default="pending")
    reason = models.CharField("lý do", max_length=255, blank=True)

    class Meta:
        ordering = ["-letter_on", "-id"]
        verbose_name = "chuyển sinh hoạt đảng"


class DisciplineForm(models.TextChoices):
    REPRIMAND = "reprimand", DISCIPLINE_LABELS["reprimand"]
    WARNING = "warning", DISCIPLINE_LABELS["warning"]
    DISMISSAL = "dismissal", DISCIPLINE_LABELS["dismissal"]
    EXPULSION = "expulsion", DISCIPLINE_LABELS["expulsion"]
    DISSOLUTION = "dissolution", DISCIPLINE_LABELS["dissolution"]


class Discipline(models.Model):
    """Kỷ luật of a member or of an organization."""

    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.CASCADE, related_name="disciplines")
    organization = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="disciplines"
    )
    form = models.CharField("hình thức", max_length=12, choices=DisciplineForm.choices)
    decided_on = models.DateField("ngày quyết định")
    decision_number = models.CharField("số quyết định", max_length=60, blank=True)
    reason = models.TextField("nội dung vi phạm", blank=True)
    self_corrected = models.BooleanField("tự phát hiện, khắc phục", default=False)

    class Meta:
        ordering = ["-decided_on"]
        verbose_name = "kỷ luật"


class PostRole(models.TextChoices):
    SECRETARY = "secretary", "Bí thư"
    DEPUTY = "deputy", "Phó bí thư"
    COMMITTEE_MEMBER = "committee_member", "Cấp ủy viên"
    UNIT_HEAD = "unit_head", "Thủ trưởng cơ quan, đơn vị"
    FEE_COLLECTOR = "fee_collector", "Phụ trách thu đảng phí"  # the cell's book defaults to them (issue 15)


class PostQuerySet(models.QuerySet):
    def held_on(self, day: dt.date) -> PostQuerySet:
        """Posts held on ``day``: started on or before it and not yet ended.

        ``ended_on`` is the first day the post is no longer held (ngày thôi giữ chức vụ), so on a
        handover day only the successor holds it.
        """
        return self.filter(Q(started_on__lte=day) & (Q(ended_on__isnull=True) | Q(ended_on__gt=day)))

    def current(self) -> PostQuerySet:
        """Posts nobody has recorded an end for."""
        return self.filter(ended_on__isnull=True)


class Post(models.Model):
    """A post held in an organization for a term."""

    objects = PostQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="posts")
    role = models.CharField("chức vụ", max_length=20, choices=PostRole.choices)
    started_on = models.DateField("từ ngày")
    ended_on = models.DateField("đến ngày", null=True, blank=True)
    term = models.CharField("nhiệm kỳ", max_length=20, blank=True)

    class Meta:
        ordering = ["role", "-started_on"]
        verbose_name = "chức vụ"


class LocalityKind(models.TextChoices):
    VILLAGE = "village", "Thôn"
    HAMLET = "hamlet", "Bản"
    RESIDENTIAL_GROUP = "residential_group", "Tổ dân phố"


class Locality(Versioned):
    """Thôn, bản, tổ dân phố tied to its residential cell; heads may be members or not."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="localities")
    name = models.CharField("tên", max_length=120)
    kind = models.CharField("loại", max_length=20, choices=LocalityKind.choices)
    head_member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    head_name = models.CharField("trưởng thôn (không là đảng viên)", max_length=120, blank=True)
    front_head_member = models.ForeignKey(
        Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    front_head_name = models.CharField("trưởng ban công tác mặt trận (không là đảng viên)", max_length=120, blank=True)
    households = models.PositiveIntegerField("số hộ", null=True, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = "thôn, bản, tổ dân phố"

    @property
    def head_display(self) -> str:
        return self.head_member.full_name if self.head_member else self.head_name

    @property
    def front_head_display(self) -> str:
        return self.front_head_member.full_name if self.front_head_member else self.front_head_name


class TrainingKind(models.TextChoices):
    THEORY_ELEMENTARY = "theory_elementary", "Lý luận chính trị sơ cấp"
    THEORY_INTERMEDIATE = "theory_intermediate", "Lý luận chính trị trung cấp"
    THEORY_ADVANCED = "theory_advanced", "Lý luận chính trị cao cấp"
    PARTY_WORK = "party_work", "Bồi dưỡng nghiệp vụ công tác đảng"
    NEW_MEMBER = "new_member", "Bồi dưỡng lý luận chính trị đảng viên mới"
    OTHER = "other", "Khác"


class Training(models.Model):
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="trainings")
    kind = models.CharField("loại", max_length=24, choices=TrainingKind.choices)
    title = models.CharField("tên lớp", max_length=255, blank=True)
    started_on = models.DateField("từ ngày", null=True, blank=True)
    finished_on = models.DateField("ngày hoàn thành")
    certificate = models.CharField("số chứng chỉ", max_length=60, blank=True)

    class Meta:
        ordering = ["-finished_on"]
        verbose_name = "đào tạo, bồi dưỡng"


class Assignment(models.Model):
    """Phân công nhiệm vụ for a year."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="assignments")
    year = models.PositiveSmallIntegerField("năm")
    content = models.TextField("nội dung nhiệm vụ")
    assigned_on = models.DateField("ngày phân công")

    class Meta:
        ordering = ["-year"]
        verbose_name = "phân công nhiệm vụ"
        indexes = [models.Index(fields=["year", "member"])]


class Commitment(models.Model):
    """Cam kết tu dưỡng, rèn luyện for a year."""

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="commitments")
    year = models.PositiveSmallIntegerField("năm")
    content = models.TextField("nội dung cam kết")
    signed_on = models.DateField("ngày ký")

    class Meta:
        ordering = ["-year"]
        verbose_name = "cam kết tu dưỡng, rèn luyện"
        indexes = [models.Index(fields=["year", "member"])]


class ResidenceLink(models.Model):
    """Feedback of the residence cell on a member working elsewhere (giữ mối liên hệ nơi cư trú)."""

    class Rating(models.TextChoices):
        GOOD = "good", "Gương mẫu, thực hiện tốt"
        FAIR = "fair", "Thực hiện chưa đầy đủ"
        POOR = "poor", "Chưa thực hiện"

    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="residence_links")
    year = models.PositiveSmallIntegerField("năm")
    residence_org = models.ForeignKey(
        Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
        verbose_name="chi bộ nơi cư trú",
    )
    rating = models.CharField("nhận xét", max_length=8, choices=Rating.choices)
    feedback = models.TextField("ý kiến của chi ủy nơi cư trú", blank=True)
    received_on = models.DateField("ngày nhận")

    class Meta:
        ordering = ["-year"]
        verbose_name = "nhận xét nơi cư trú"


class ImportBatch(models.Model):
    """An uploaded Excel file between preview and confirmation; nothing is written before."""

    class Kind(models.TextChoices):
        ORGANIZATIONS = "organizations", "Tổ chức đảng"
        MEMBERS = "members", "Đảng viên"
        FEE_BOOK = "fee_book", "Sổ thu đảng phí"  # staged and confirmed by dangvu.fees (issue 15)

    class State(models.TextChoices):
        PREVIEW = "preview", "Chờ xác nhận"
        INVALID = "invalid", "Có lỗi"
        DONE = "done", "Đã nhập"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    scope = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    file_name = models.CharField(max_length=255)
    content = models.BinaryField()
    rows = models.PositiveIntegerField(default=0)
    problems = models.JSONField(default=list)
    warnings = models.JSONField(default=list)
    state = models.CharField(max_length=10, choices=State.choices, default="preview")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    imported = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "lượt nhập Excel"
