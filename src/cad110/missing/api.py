"""JSON routes of the missing-person loop (寻人): one POST per action on a case."""

from __future__ import annotations

import hashlib
from typing import Annotated

from fastapi import Depends, Path, Query, Request, Response, status
from pydantic import BaseModel, ConfigDict, StringConstraints
from sqlalchemy.exc import IntegrityError

from cad110.api.deps import Context, runtime
from cad110.api.routing import Router, repeatable
from cad110.auth.permissions import Permission
from cad110.errors import Conflict, InvalidInput
from cad110.incidents.schemas import EventOut
from cad110.incidents.views import event_fields
from cad110.kernel.runtime import Runtime
from cad110.missing import cases, closing, ledger, repository, search
from cad110.missing.journal import journal
from cad110.missing.notices import LookoutOut, lookouts, mark_read
from cad110.missing.pfif import export_case
from cad110.missing.repository import CaseFilter, get_case
from cad110.missing.schemas import (
    AppealIn,
    AppealOut,
    CallbackIn,
    CallbackOut,
    CaseOpen,
    CaseOut,
    CasePage,
    CaseUpdate,
    CloseIn,
    ClusterOut,
    DecisionIn,
    GradeRequestIn,
    GroupIn,
    NoteIn,
    PushIn,
    RequestOut,
    TaskIn,
    TaskOut,
    TaskUpdate,
)
from cad110.missing.views import (
    appeals_out,
    callback_out,
    case_out,
    clusters_out,
    journal_out,
    summaries,
)
from cad110.models.missing import CasePhoto, CaseStatus
from cad110.privacy.deps import AccessLog
from cad110.privacy.masking import mask_name
from cad110.privacy.policy import CASE_FIELDS, Action, Subject, role_reason, shown
from cad110.privacy.record import Access
from cad110.privacy.reveal import Revealed, RevealIn, reveal
from cad110.privacy.subjects import case_sight

router = Router(prefix="/missing", tags=["missing persons"])

Number = Annotated[
    str, Path(pattern=r"^XR-[0-9A-Za-z_.-]{1,44}$", description="e.g. XR-35010201-20261123-0042")
]
PHOTO_TYPES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
MAX_PHOTO = 5 * 1024 * 1024
Rt = Annotated[Runtime, Depends(runtime)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=CaseOut)
def open_case(body: CaseOpen, ctx: Context, response: Response) -> CaseOut:
    """建档: open the case of a missing-person incident; the rules run at once."""
    try:
        # A savepoint: losing a race for the incident's case leaves the transaction usable.
        with ctx.session.begin_nested():
            case, created = cases.open_case(ctx, body)
    except IntegrityError:
        case, created = cases.open_case(ctx, body)  # the winner's case, or 409 if it differs
    if not created:
        response.status_code = status.HTTP_200_OK
    return case_out(ctx, case)


@router.get("", response_model=CasePage)
def list_cases(
    ctx: Context,
    state: Annotated[CaseStatus | None, Query(alias="status")] = None,
    ledger_only: Annotated[
        bool, Query(alias="ledger", description="台账: open past their first day")
    ] = False,
    due: Annotated[bool, Query(description="Only cases with a callback due now")] = False,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """Cases in the caller's jurisdiction: urgent first, then oldest last-seen first."""
    ctx.by.require(Permission.READ)
    f = CaseFilter.as_of(ctx, status=state, ledger=ledger_only, due=due)
    rows, total = repository.list_cases(ctx.session, f, by=ctx.by, limit=limit, offset=offset)
    return CasePage(items=summaries(ctx, rows), total=total)


@router.get("/clusters", response_model=list[ClusterOut])
def list_clusters(ctx: Context) -> list[ClusterOut]:
    """聚集预警: several people missing from one grid, school or workplace; newest first."""
    ctx.by.require(Permission.READ)
    return clusters_out(ctx)


class AckBody(BaseModel):
    model_config = ConfigDict(extra="forbid")
    comment: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000)]


@router.post("/clusters/{cluster_id}/acknowledge", response_model=ClusterOut)
def acknowledge_cluster(
    cluster_id: Annotated[int, Path(ge=1, le=2**31 - 1)], body: AckBody, ctx: Context
) -> ClusterOut:
    """A district leader takes note of a cluster alert and says what is done about it."""
    ctx.by.require(Permission.APPROVE)
    alert = repository.get_cluster(ctx.session, cluster_id, by=ctx.by)
    if alert.acknowledged_at is not None:
        raise Conflict(f"cluster alert {cluster_id} was already acknowledged")
    alert.acknowledged_at, alert.acknowledged_by, alert.comment = (
        ctx.at,
        ctx.by.username,
        body.comment,
    )
    for member in repository.cases_of_cluster(ctx.session, alert.id):
        journal(ctx, member, "cluster_acknowledged", {"cluster": alert.id, "comment": body.comment})
    return clusters_out(ctx, [cluster_id])[0]


@router.get("/lookouts", response_model=list[LookoutOut])
def read_lookouts(
    ctx: Context,
    unit: Annotated[str | None, Query(pattern=r"^[0-9A-Za-z_.-]{1,32}$")] = None,
) -> list[LookoutOut]:
    """查找协查: the open cases a unit is asked to look out for (an officer: their own unit)."""
    ctx.by.require(Permission.READ)
    code = unit or ctx.by.unit_code
    if code is None:
        raise InvalidInput("unit", "name the unit")
    return lookouts(ctx, code)


@router.post("/lookouts/{notice_id}/read", status_code=status.HTTP_204_NO_CONTENT)
def read_notice(notice_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ctx: Context) -> None:
    ctx.by.require(Permission.UNIT_STEP)
    mark_read(ctx, notice_id)


@router.get("/{number}", response_model=CaseOut)
def read_case(number: Number, ctx: Context, log: AccessLog) -> CaseOut:
    """One case; the ID number, phone and informant in full where the reader's duty covers
    them (recorded in the access log), masked elsewhere."""
    ctx.by.require(Permission.READ)
    case = get_case(ctx, number)
    seen = case_sight(ctx.session, ctx.by, case)
    out = case_out(ctx, case, full=seen.full)
    log.read(Subject.MISSING_CASE, number, shown(out, CASE_FIELDS), seen)
    return out


@router.get("/{number}/journal", response_model=list[EventOut])
def read_journal(number: Number, ctx: Context, log: AccessLog) -> list[EventOut]:
    """The case's journal: every change and note, oldest first (append-only); personal values
    masked as on the case itself."""
    ctx.by.require(Permission.READ)
    case = get_case(ctx, number)
    seen = case_sight(ctx.session, ctx.by, case)
    out = journal_out(ctx, case, full=seen.full)
    log.read(Subject.MISSING_CASE, number, sorted(event_fields(out)), seen)
    return out


@router.post("/{number}/record", response_model=CaseOut)
def update_record(number: Number, body: CaseUpdate, ctx: Context) -> CaseOut:
    """Correct or complete the record; the rules run again on the new facts."""
    return case_out(ctx, cases.update_case(ctx, number, body))


@router.post("/{number}/notes", response_model=CaseOut)
def add_note(number: Number, body: NoteIn, ctx: Context) -> CaseOut:
    return case_out(ctx, cases.add_note(ctx, number, body.text))


async def _raw_body(request: Request) -> bytes:
    """The request body, refused past the photo limit before it is all read."""
    length = request.headers.get("content-length")
    if length is not None and length.isdigit() and int(length) > MAX_PHOTO:
        raise InvalidInput("body", "the photo is larger than 5 MB")
    data = bytearray()
    async for chunk in request.stream():
        data += chunk
        if len(data) > MAX_PHOTO:
            raise InvalidInput("body", "the photo is larger than 5 MB")
    return bytes(data)


@router.post(
    "/{number}/photos",
    status_code=status.HTTP_201_CREATED,
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in PHOTO_TYPES},
        }
    },
)
def add_photo(
    number: Number,
    request: Request,
    data: Annotated[bytes, Depends(_raw_body)],
    ctx: Context,
) -> dict[str, int]:
    """A photo of the person (JPEG or PNG, up to 5 MB), sent as the raw request body."""
    ctx.by.require(Permission.MISSING)
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in PHOTO_TYPES:
        raise InvalidInput("content-type", "send the photo as image/jpeg or image/png")
    if not data.startswith(PHOTO_TYPES[media_type]):
        raise InvalidInput("body", f"the body is not a {media_type} image")
    case = get_case(ctx, number)
    photo = CasePhoto(
        case_id=case.id,
        media_type=media_type,
        data=data,
        sha256=hashlib.sha256(data).hexdigest(),
        added_at=ctx.at,
        added_by=ctx.by.username,
    )
    ctx.session.add(photo)
    ctx.session.flush()
    journal(
        ctx, case, "photo_added", {"photo": photo.id, "sha256": photo.sha256, "bytes": len(data)}
    )
    return {"id": photo.id}


@router.get("/{number}/photos/{photo_id}")
def read_photo(
    number: Number, photo_id: Annotated[int, Path(ge=1, le=2**31 - 1)], ctx: Context
) -> Response:
    ctx.by.require(Permission.READ)
    photo = repository.photo_of(ctx.session, repository.case_for_photo(ctx, number), photo_id)
    return Response(
        content=photo.data,
        media_type=photo.media_type,
        headers={"Cache-Control": "private, max-age=86400"},
    )


@router.post(
    "/{number}/grade-requests", status_code=status.HTTP_201_CREATED, response_model=RequestOut
)
def request_grade(number: Number, body: GradeRequestIn, ctx: Context) -> RequestOut:
    """Ask for a new grade (2–3 hand the case to 刑侦); a leader decides."""
    row = cases.request_grade(ctx, number, body.grade, body.reason)
    return RequestOut.model_validate(row, from_attributes=True)


@router.post("/{number}/requests/{request_id}/decision", response_model=RequestOut)
def decide(
    number: Number,
    request_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: DecisionIn,
    ctx: Context,
) -> RequestOut:
    """A leader approves or rejects a grade change or a transfer to criminal investigation."""
    row = cases.decide(ctx, number, request_id, body.approve, body.comment)
    return RequestOut.model_validate(row, from_attributes=True)


@router.post("/{number}/group", response_model=CaseOut)
def form_group(number: Number, body: GroupIn, ctx: Context) -> CaseOut:
    """一键建群: the commander and four specialist teams, each with its first task."""
    return case_out(ctx, search.form_group(ctx, number, body.commander))


@router.post("/{number}/tasks", status_code=status.HTTP_201_CREATED, response_model=TaskOut)
def add_task(number: Number, body: TaskIn, ctx: Context) -> TaskOut:
    return TaskOut.model_validate(search.add_task(ctx, number, body), from_attributes=True)


@router.post("/{number}/tasks/{task_id}", response_model=TaskOut)
def update_task(
    number: Number,
    task_id: Annotated[int, Path(ge=1, le=2**31 - 1)],
    body: TaskUpdate,
    ctx: Context,
) -> TaskOut:
    return TaskOut.model_validate(
        search.update_task(ctx, number, task_id, body), from_attributes=True
    )


class PushOut(BaseModel):
    units: list[str]


@router.post("/{number}/push", response_model=PushOut)
def push_search(number: Number, body: PushIn, ctx: Context) -> PushOut:
    """Push the search details (photo, description, last-seen point) to units within the radius."""
    notices = search.push_search(ctx, number, body.radius_km)
    return PushOut(units=[n.unit_code for n in notices])


@router.post("/{number}/appeals", response_model=list[AppealOut])
def publish_appeals(number: Number, body: AppealIn, ctx: Context, rt: Rt) -> list[AppealOut]:
    """寻人启事 to social channels; the reach widens with the time lost until withdrawn."""
    known = frozenset(filter(None, (c.strip() for c in rt.settings.appeal_channels.split(","))))
    search.publish_appeals(ctx, number, body.channels, body.text, known)
    return appeals_out(ctx.session, get_case(ctx, number))


@router.post("/{number}/callbacks/{seq}", response_model=CallbackOut)
def record_callback(
    number: Number, seq: Annotated[int, Path(ge=1, le=100)], body: CallbackIn, ctx: Context
) -> CallbackOut:
    """回访: what the family said at a scheduled callback, and any new lead."""
    return callback_out(ledger.record_callback(ctx, number, seq, body), ctx.at)


@router.post("/{number}/close", response_model=CaseOut)
def close_case(number: Number, body: CloseIn, ctx: Context) -> CaseOut:
    """结案: the outcome; the incident closes with it, appeals are withdrawn, the family told."""
    return case_out(ctx, closing.close_case(ctx, number, body))


@router.get(
    "/{number}/pfif", response_class=Response, responses={200: {"content": {"application/xml": {}}}}
)
def pfif(number: Number, ctx: Context, rt: Rt, request: Request, log: AccessLog) -> Response:
    """The case as a PFIF 1.4 document (Person Finder Interchange Format); recorded in the
    access log as an export (the informant's name goes out as the record's author)."""
    ctx.by.require(Permission.READ)
    case = get_case(ctx, number)
    events = repository.journal_of(ctx.session, case)
    photo = next(iter(repository.photo_ids(ctx.session, case.id)), None)
    photo_url = str(request.url_for("read_photo", number=number, photo_id=photo)) if photo else None
    seen = case_sight(ctx.session, ctx.by, case)
    # The informant goes out as the author: in full only to a reader who may see them.
    author = case.informant_name if seen.full else mask_name(case.informant_name)
    body = export_case(
        case, events, domain=rt.settings.pfif_domain, now=ctx.at, photo_url=photo_url, author=author
    )
    exported = ["informant_name"] if case.informant_name and seen.full else []
    why = seen.reason if seen.full else role_reason(ctx.by)
    log.record([Access(Action.EXPORT, Subject.MISSING_CASE, case.number, exported, why)])
    disposition = f'attachment; filename="{case.number}.pfif.xml"'
    return Response(
        content=body, media_type="application/xml", headers={"Content-Disposition": disposition}
    )


@router.post("/{number}/reveal", response_model=Revealed, tags=["personal data"])
@repeatable
def reveal_case(
    number: Number, body: RevealIn, ctx: Context, log: AccessLog, response: Response
) -> Revealed:
    """显示: the ID number, the person's phone and the informant in full, for a reason that is
    recorded."""
    ctx.by.require(Permission.REVEAL)
    case = get_case(ctx, number)
    values = {name: getattr(case, name) for name in CASE_FIELDS}
    return reveal(log, response, Subject.MISSING_CASE, number, values, body.reason)
