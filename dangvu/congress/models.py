"""Congress models: the campaign timeline and its milestones, congresses, delegate apportionment,
drafts of the congress documents and their comments, elections with their ballots and counts.

Models hold data only; every write goes through :mod:`dangvu.congress.services`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from dangvu.registry.models import Member, Organization, Versioned, subtree_q


class OrgScopedQuerySet(models.QuerySet):
    """Rows of a model with an ``organization`` foreign key; the subtree filter is written once here."""

    def in_subtree(self, org: Organization | str) -> OrgScopedQuerySet:
        """Rows whose organization lies in the subtree of ``org`` (organization or path)."""
        return self.filter(subtree_q(org, via="organization__"))  # by organization ids: see subtree_q


# -- timeline ---------------------------------------------------------------------------------


class TimelineTemplate(models.Model):
    """A congress campaign issued by an organization: its phases, milestones and congress window.

    ``window_start``/``window_end``: when the congresses of the organizations under the issuer
    must be held (e.g. 2025-04-01 → 2025-06-15); ``pilot_end``: the pilot congresses' deadline.
    """

    objects = OrgScopedQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="timelines",
                                     verbose_name="tổ chức ban hành")
    title = models.CharField("tên kế hoạch", max_length=500)
    term = models.CharField("nhiệm kỳ", max_length=20)
    document_number = models.CharField("số văn bản", max_length=60, blank=True)
    issued_on = models.DateField("ngày ban hành", null=True, blank=True)
    window_start = models.DateField("đại hội cấp dưới từ ngày", null=True, blank=True)
    window_end = models.DateField("đại hội cấp dưới hoàn thành trước ngày", null=True, blank=True)
    pilot_end = models.DateField("đại hội điểm hoàn thành trước ngày", null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-term", "-id"]
        verbose_name = "kế hoạch đại hội"

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """A stage of the campaign (e.g. "Từ ngày 01/9/2024 đến hết ngày 31/10/2024")."""

    template = models.ForeignKey(TimelineTemplate, on_delete=models.CASCADE, related_name="phases")
    title = models.CharField("giai đoạn", max_length=255)
    starts_on = models.DateField("từ ngày", null=True, blank=True)
    ends_on = models.DateField("đến ngày", null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "giai đoạn"

    def __str__(self) -> str:
        return self.title


class AppliesTo(models.TextChoices):
    ISSUER = "issuer", "Tổ chức ban hành"
    BELOW = "below", "Các tổ chức trực thuộc"
    ALL = "all", "Tổ chức ban hành và mọi tổ chức trực thuộc"


class MilestoneTemplate(models.Model):
    """One deadline of the campaign; ``kinds`` (comma-separated OrgKind values) narrows who gets it."""

    template = models.ForeignKey(TimelineTemplate, on_delete=models.CASCADE, related_name="items")
    phase = models.ForeignKey(Phase, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    title = models.CharField("nội dung", max_length=500)
    deadline = models.DateField("thời hạn")
    applies_to = models.CharField("áp dụng cho", max_length=8, choices=AppliesTo.choices, default=AppliesTo.ALL)
    kinds = models.CharField("chỉ loại tổ chức", max_length=200, blank=True)
    source_id = models.CharField("mục trong kế hoạch", max_length=40, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "mốc thời gian mẫu"

    def __str__(self) -> str:
        return self.title

    @property
    def kind_list(self) -> list[str]:
        return [k.strip() for k in self.kinds.split(",") if k.strip()]


class MilestoneStatus(models.TextChoices):
    NOT_STARTED = "not_started", "Chưa thực hiện"
    IN_PROGRESS = "in_progress", "Đang thực hiện"
    DONE = "done", "Đã hoàn thành"


class Milestone(models.Model):
    """Mốc thời gian chuẩn bị đại hội of one organization."""

    objects = OrgScopedQuerySet.as_manager()

    item = models.ForeignKey(MilestoneTemplate, null=True, blank=True, on_delete=models.CASCADE,
                             related_name="milestones")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("nội dung", max_length=500)
    deadline = models.DateField("thời hạn")
    status = models.CharField("tình trạng", max_length=12, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.NOT_STARTED)
    done_on = models.DateField("ngày hoàn thành", null=True, blank=True)
    evidence = models.TextField("kết quả, minh chứng", blank=True)
    evidence_name = models.CharField("tệp minh chứng", max_length=255, blank=True)
    evidence_content = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["deadline", "id"]
        verbose_name = "mốc thời gian chuẩn bị đại hội"
        constraints = [models.UniqueConstraint(fields=["item", "organization"], name="milestone_once_per_org")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today) -> bool:
        return self.status != MilestoneStatus.DONE and self.deadline < today


# -- congress ---------------------------------------------------------------------------------


class CongressKind(models.TextChoices):
    MEMBERS = "members", "Đại hội đảng viên"
    DELEGATES = "delegates", "Đại hội đại biểu"


class Congress(models.Model):
    """Đại hội of one organization for one term."""

    objects = OrgScopedQuerySet.as_manager()

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="congresses")
    term = models.CharField("nhiệm kỳ", max_length=20)
    kind = models.CharField("hình thức", max_length=10, choices=CongressKind.choices)
    pilot = models.BooleanField("đại hội điểm", default=False)
    campaign = models.ForeignKey(TimelineTemplate, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="congresses", verbose_name="theo kế hoạch")
    starts_on = models.DateField("ngày khai mạc (dự kiến)")
    ends_on = models.DateField("ngày bế mạc (dự kiến)")
    place = models.CharField("địa điểm", max_length=255, blank=True)
    note = models.TextField("ghi chú", blank=True)

    class Meta:
        ordering = ["starts_on", "id"]
        verbose_name = "đại hội"
        constraints = [models.UniqueConstraint(fields=["organization", "term"], name="congress_once_per_term")]

    def __str__(self) -> str:
        return f"Đại hội {self.organization.name} nhiệm kỳ {self.term}"


class DelegateApportionment(models.Model):
    """Phân bổ đại biểu: seats S among sub-organizations with at least K each, plus ex officio."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="apportionments")
    seats = models.PositiveIntegerField("số đại biểu được bầu, chỉ định")
    minimum = models.PositiveIntegerField("số đại biểu tối thiểu mỗi tổ chức")
    counted_on = models.DateField("số đảng viên tính đến ngày")
    ex_officio = models.JSONField("đại biểu đương nhiên", default=list)
    note = models.TextField("ghi chú", blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-id"]
        verbose_name = "phân bổ đại biểu"


class ApportionmentLine(models.Model):
    apportionment = models.ForeignKey(DelegateApportionment, on_delete=models.CASCADE, related_name="lines")
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    members = models.PositiveIntegerField("số đảng viên")
    minimum = models.PositiveIntegerField("tối thiểu")
    base = models.PositiveIntegerField("theo tỷ lệ")
    extra = models.PositiveIntegerField("phần dư")
    remainder = models.PositiveBigIntegerField("số dư so sánh")
    seats = models.PositiveIntegerField("số đại biểu")
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "dòng phân bổ đại biểu"


# -- drafts -----------------------------------------------------------------------------------


class DraftKind(models.TextChoices):
    POLITICAL_REPORT = "political_report", "Báo cáo chính trị"
    REVIEW_REPORT = "review_report", "Báo cáo kiểm điểm của cấp ủy"


class Draft(models.Model):
    """One numbered version (lần 1, 2, 3…) of a congress document."""

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="drafts")
    kind = models.CharField("văn kiện", max_length=20, choices=DraftKind.choices)
    version = models.PositiveSmallIntegerField("dự thảo lần")
    issued_on = models.DateField("ngày phát hành dự thảo")
    summary = models.TextField("ghi chú, nội dung chính", blank=True)
    file_name = models.CharField(max_length=255, blank=True)
    content = models.BinaryField(null=True, blank=True)

    class Meta:
        ordering = ["kind", "version"]
        verbose_name = "dự thảo văn kiện"
        constraints = [models.UniqueConstraint(fields=["congress", "kind", "version"], name="draft_version_once")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} (dự thảo lần {self.version})"


class CommentState(models.TextChoices):
    PENDING = "pending", "Chưa xử lý"
    ACCEPTED = "accepted", "Tiếp thu"
    EXPLAINED = "explained", "Giải trình"


class DraftComment(models.Model):
    """Góp ý of an organization or a conference on a draft, and how the drafters answered it."""

    draft = models.ForeignKey(Draft, on_delete=models.CASCADE, related_name="comments")
    source_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name="tổ chức góp ý")
    source_name = models.CharField("hội nghị, cá nhân góp ý", max_length=255, blank=True)
    received_on = models.DateField("ngày nhận")
    text = models.TextField("nội dung góp ý")
    state = models.CharField("xử lý", max_length=10, choices=CommentState.choices, default=CommentState.PENDING)
    response = models.TextField("tiếp thu, giải trình", blank=True)

    class Meta:
        ordering = ["received_on", "id"]
        verbose_name = "góp ý dự thảo"

    @property
    def source(self) -> str:
        return self.source_org.name if self.source_org else self.source_name


# -- elections --------------------------------------------------------------------------------


class Election(models.Model):
    """One round of an election at a congress (bầu cấp ủy, bầu bí thư, bầu đại biểu…).

    ``base`` is the number "more than half" is taken of; ``base_computed`` is what the registry
    gave, ``base_reason`` says why they differ when a person changed it.
    """

    congress = models.ForeignKey(Congress, on_delete=models.CASCADE, related_name="elections")
    title = models.CharField("nội dung bầu", max_length=255)
    round = models.PositiveSmallIntegerField("lần bầu", default=1)
    seats = models.PositiveSmallIntegerField("số lượng cần bầu")
    held_on = models.DateField("ngày bầu")
    base_kind = models.CharField("cơ sở tính", max_length=10, choices=CongressKind.choices)
    base = models.PositiveIntegerField("cơ sở tính (số người)")
    base_computed = models.PositiveIntegerField("cơ sở tính theo dữ liệu")
    base_reason = models.TextField("lý do điều chỉnh cơ sở tính", blank=True)
    delegates_convened = models.PositiveIntegerField("số đại biểu được triệu tập", null=True, blank=True)
    delegates_absent = models.PositiveIntegerField("số đại biểu vắng (không tính)", null=True, blank=True)
    issued = models.PositiveIntegerField("số phiếu phát ra", null=True, blank=True)
    counting_board = models.TextField("ban kiểm phiếu (mỗi dòng một người, trưởng ban trước)", blank=True)
    # Quyết định 190-QĐ/TW: a list shorter than the seats only when the congress voted for it; the
    # flag and where that decision is written (minutes, resolution) are kept with the election.
    fewer_candidates_allowed = models.BooleanField("đại hội quyết định bầu khi danh sách ít hơn số lượng cần bầu",
                                                   default=False)
    fewer_candidates_note = models.CharField("căn cứ quyết định của đại hội", max_length=255, blank=True)

    class Meta:
        ordering = ["held_on", "id"]
        verbose_name = "bầu cử"

    def __str__(self) -> str:
        return self.title

    @property
    def board(self) -> list[str]:
        return [line.strip() for line in self.counting_board.splitlines() if line.strip()]


class AdjustmentKind(models.TextChoices):
    SUSPENDED = "suspended", "Đang bị đình chỉ sinh hoạt"
    PROSECUTED = "prosecuted", "Bị truy tố, tạm giam"
    ABSENT = "absent", "Vắng mặt suốt thời gian đại hội có lý do được chấp thuận"
    EXEMPT_PRESENT = "exempt_present", "Miễn sinh hoạt nhưng có mặt (được tính)"


class BaseAdjustment(models.Model):
    """A member excluded from (or, exempt but present, included in) a members' congress base."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="adjustments")
    member = models.ForeignKey(Member, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField("trường hợp", max_length=16, choices=AdjustmentKind.choices)
    note = models.CharField("ghi chú", max_length=255, blank=True)

    class Meta:
        ordering = ["kind", "id"]
        verbose_name = "điều chỉnh cơ sở tính"
        constraints = [models.UniqueConstraint(fields=["election", "member"], name="adjustment_once")]


class Candidate(models.Model):
    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="candidates")
    name = models.CharField("họ và tên", max_length=120)
    member = models.ForeignKey(Member, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    position = models.PositiveSmallIntegerField("thứ tự trên phiếu")

    class Meta:
        ordering = ["position"]
        verbose_name = "người trong danh sách bầu"
        constraints = [
            models.UniqueConstraint(fields=["election", "position"], name="candidate_position_once"),
            models.UniqueConstraint(fields=["election", "name"], name="candidate_name_once"),
        ]

    def __str__(self) -> str:
        return self.name


class CountingTeam(Versioned):
    """Tổ kiểm phiếu: enters every ballot (or only per-candidate totals) independently."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField("tên tổ", max_length=60)
    position = models.PositiveSmallIntegerField(default=1)
    totals = models.JSONField("tổng hợp của tổ (khi không nhập từng phiếu)", null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        verbose_name = "tổ kiểm phiếu"
        constraints = [models.UniqueConstraint(fields=["election", "name"], name="team_name_once")]

    def __str__(self) -> str:
        return self.name


class Ballot(models.Model):
    """One ballot as a team read it: ``kept[i]`` for the i-th candidate in ballot order."""

    team = models.ForeignKey(CountingTeam, on_delete=models.CASCADE, related_name="ballots")
    number = models.PositiveIntegerField("số thứ tự phiếu")
    kept = models.JSONField("tên được giữ lại")

    class Meta:
        ordering = ["number"]
        verbose_name = "phiếu bầu"
        constraints = [models.UniqueConstraint(fields=["team", "number"], name="ballot_number_once")]


class Tally(models.Model):
    """The official count of an election from stored ballots (kiểm phiếu), or a recount of it."""

    election = models.ForeignKey(Election, on_delete=models.CASCADE, related_name="tallies")
    number = models.PositiveSmallIntegerField("lần đếm")
    source_team = models.ForeignKey(CountingTeam, on_delete=models.PROTECT, related_name="+")
    candidates = models.JSONField("danh sách theo thứ tự trên phiếu")
    base = models.PositiveIntegerField("cơ sở tính")
    issued = models.PositiveIntegerField("số phiếu phát ra", null=True, blank=True)
    result = models.JSONField("kết quả")
    steps = models.JSONField("diễn giải từng bước")
    matches_previous = models.BooleanField("khớp lần đếm trước", null=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["election", "number"]
        verbose_name = "kết quả kiểm phiếu"
        constraints = [models.UniqueConstraint(fields=["election", "number"], name="tally_number_once")]

    @property
    def is_recount(self) -> bool:
        return self.number > 1
