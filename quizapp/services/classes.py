"""Classes: join codes, members, rosters and assignments, and who may see what."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from quizapp.extensions import db
from quizapp.models import (
    SHOW_ANSWERS,
    Accommodation,
    Account,
    Assignment,
    Attempt,
    Bank,
    Classroom,
    Membership,
    utcnow,
)
from quizapp.services import accounts, authoring
from quizapp.services.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError

#: No 0/O, 1/I/L, 2/Z, 5/S, 8/B: codes are read off a projector and typed on phones.
CODE_ALPHABET = "ACDEFGHJKMNPQRTUVWXY34679"
CODE_LENGTH = 6
BOARD_NAMES = ("display_name", "nickname")


def new_join_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def normalise_code(code: str) -> str:
    return "".join(code.split()).upper().replace("-", "")


def touch_board(classroom_id: int) -> None:
    """Mark the class's boards as changed; every write that can move a board calls this."""
    db.session.execute(
        update(Classroom)
        .where(Classroom.id == classroom_id)
        .values(board_version=Classroom.board_version + 1)
    )


def create_class(teacher: Account, name: str) -> Classroom:
    if not teacher.is_teacher:
        raise Forbidden("Only teachers can create classes.")
    name = accounts.one_line(name, 100)
    if not name:
        raise Invalid("A class needs a name.")
    for _ in range(5):
        classroom = Classroom(name=name[:100], teacher_id=teacher.id, join_code=new_join_code())
        db.session.add(classroom)
        try:
            db.session.commit()
            return classroom
        except IntegrityError:  # the code was taken: draw another
            db.session.rollback()
    raise Conflict("Could not find a free join code; try again.")  # pragma: no cover


def regenerate_code(classroom: Classroom) -> str:
    for _ in range(5):
        classroom.join_code = new_join_code()
        try:
            db.session.commit()
            return classroom.join_code
        except IntegrityError:
            db.session.rollback()
    raise Conflict("Could not find a free join code; try again.")  # pragma: no cover


def teacher_classes(teacher_id: int) -> list[Classroom]:
    return list(db.session.execute(
        select(Classroom).where(Classroom.teacher_id == teacher_id).order_by(Classroom.name)
    ).scalars())


def student_classes(account_id: int) -> list[Classroom]:
    return list(db.session.execute(
        select(Classroom).join(Membership).where(Membership.account_id == account_id)
        .order_by(Classroom.name)
    ).scalars())


def membership(classroom_id: int, account_id: int) -> Membership | None:
    return db.session.execute(
        select(Membership).where(
            Membership.classroom_id == classroom_id, Membership.account_id == account_id
        )
    ).scalar_one_or_none()


def class_for_teacher(classroom_id: int, teacher_id: int) -> Classroom:
    """The class if ``teacher_id`` teaches it; anyone else's is :class:`NotFound`."""
    classroom = db.session.get(Classroom, classroom_id)
    if classroom is None or classroom.teacher_id != teacher_id:
        raise NotFound("There is no such class.")
    return classroom


def class_for_member(classroom_id: int, account_id: int) -> tuple[Classroom, bool]:
    """The class and whether ``account_id`` teaches it, for its teacher and its students."""
    classroom = db.session.get(Classroom, classroom_id)
    if classroom is None:
        raise NotFound("There is no such class.")
    if classroom.teacher_id == account_id:
        return classroom, True
    if membership(classroom_id, account_id) is None:
        raise NotFound("There is no such class.")
    return classroom, False


def _default_nickname(classroom_id: int) -> str:
    taken = db.session.execute(
        select(func.count(Membership.id)).where(Membership.classroom_id == classroom_id)
    ).scalar_one()
    return f"Reader {taken + 1}"


def join(account: Account, code: str) -> Classroom:
    """Add a student to the class with this code (joining twice changes nothing)."""
    code = normalise_code(code)
    # A code is letters and digits: anything else names no class (and PostgreSQL cannot
    # compare text holding NUL), so it is not looked up.
    classroom = db.session.execute(
        select(Classroom).where(Classroom.join_code == code)
    ).scalar_one_or_none() if code.isalnum() else None
    if classroom is None:
        raise NotFound("No class has that code. Check it with your teacher.")
    if classroom.teacher_id == account.id:
        raise Conflict("You teach this class.")
    if membership(classroom.id, account.id) is None:
        add_member(classroom, account)
    return classroom


def add_member(classroom: Classroom, account: Account, nickname: str | None = None) -> Membership:
    member = Membership(
        classroom_id=classroom.id, account_id=account.id,
        nickname=(nickname or _default_nickname(classroom.id))[:40],
    )
    db.session.add(member)
    touch_board(classroom.id)
    try:
        db.session.commit()
    except IntegrityError:  # joined twice at once
        db.session.rollback()
        found = membership(classroom.id, account.id)
        assert found is not None  # noqa: S101 - the unique constraint says it exists
        return found
    return member


def remove_member(classroom: Classroom, account_id: int) -> None:
    """Take a student out of a class (they leave, or the teacher removes them)."""
    found = membership(classroom.id, account_id)
    if found is None:
        raise NotFound("That student is not in this class.")
    db.session.delete(found)
    touch_board(classroom.id)
    db.session.commit()


def members(classroom_id: int) -> list[tuple[Membership, Account]]:
    return list(db.session.execute(
        select(Membership, Account).join(Account, Account.id == Membership.account_id)
        .where(Membership.classroom_id == classroom_id).order_by(Account.display_name)
    ).all())


def set_nickname(classroom: Classroom, account_id: int, nickname: str) -> None:
    found = membership(classroom.id, account_id)
    if found is None:
        raise NotFound("That student is not in this class.")
    nickname = accounts.one_line(nickname, 40)
    if not nickname:
        raise Invalid("A nickname cannot be empty.")
    found.nickname = nickname[:40]
    touch_board(classroom.id)
    db.session.commit()


def update_board(classroom: Classroom, *, names: str | None = None, hidden: bool | None = None,
                 frozen: bool | None = None, now: dt.datetime | None = None) -> None:
    """Change how the class's boards show: names, hidden from students, frozen."""
    if names is not None:
        if names not in BOARD_NAMES:
            raise Invalid(f"Board names are one of: {', '.join(BOARD_NAMES)}.")
        classroom.board_names = names
    if hidden is not None:
        classroom.board_hidden = hidden
    if frozen is not None:
        if frozen and classroom.board_frozen_at is None:
            classroom.board_frozen_at = now or utcnow()
        elif not frozen:
            classroom.board_frozen_at = None
    touch_board(classroom.id)
    db.session.commit()


#: The most students one roster adds: 500 are made well within a request's time limit.
ROSTER_LIMIT = 500
#: RosterRow notes of a class roster (the operator's import also has "exists" and "error: ...").
CREATED, ALREADY_IN_CLASS = "created", "already in this class"
EXISTS = "exists: not added; they can join with the class code"


@dataclass
class RosterRow:
    username: str
    display_name: str
    #: The one-time password, for a new account; None for an account that existed.
    password: str | None
    note: str = ""

    @property
    def refusal(self) -> str | None:
        """Why a class roster's row put no one in the class, as a sentence; None if it did."""
        if self.note.startswith("error: "):
            return self.note.removeprefix("error: ")
        if self.note.startswith("exists"):
            return ("An account with this username exists, so the roster did not add it: "
                    "they can join with the class code.")
        return None


def parse_roster(text: str, *, with_roles: bool = False) -> list[dict[str, str]]:
    """Rows of a roster CSV: username and display_name (and role, password when asked).

    Without ``with_roles`` (a teacher's class roster) a ``role`` or ``password`` column is
    refused: a roster makes students only, each with a one-time password. Only the
    operator's ``quizapp users import`` reads those columns.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    needed = {"username", "display_name"} | ({"role", "password"} if with_roles else set())
    header = {h.strip() for h in reader.fieldnames or []}
    if not needed <= header:
        raise Invalid(f"The CSV needs a header line with: {', '.join(sorted(needed))}.")
    forbidden = [name for name in ("role", "password") if name in {h.lower() for h in header}]
    if forbidden and not with_roles:
        raise Invalid(f"A roster adds students only, each with a one-time password: remove the "
                      f"{' and '.join(forbidden)} column{'s' if len(forbidden) > 1 else ''} "
                      "and upload the file again. Nothing was added.")
    rows = []
    for row in reader:
        rows.append({k.strip(): (v or "").strip() for k, v in row.items() if k})
    if not rows:
        raise Invalid("The CSV has no rows under its header.")
    return rows


def import_accounts(rows: list[dict[str, str]], *, default_role: str = "student") -> list[RosterRow]:
    """Create the accounts a roster names; existing accounts are left as they are.

    A row without a password gets a one-time password that must be changed
    at the first sign-in. Problems are reported per row, not raised.
    """
    result = []
    for row in rows:
        username = row.get("username", "")
        display = row.get("display_name") or username
        existing = accounts.get_by_username(username) if username else None
        if existing is not None:
            result.append(RosterRow(existing.username, existing.display_name, None, "exists"))
            continue
        given = row.get("password", "")
        password = given or accounts.generate_password()
        try:
            account = accounts.create_account(
                username, display, password, row.get("role") or default_role,
                must_change_password=not given,
            )
        except ServiceError as error:
            result.append(RosterRow(username, display, None, f"error: {error.message}"))
            continue
        result.append(RosterRow(account.username, account.display_name,
                                None if given else password, "created"))
    return result


def enrol_students(classroom: Classroom, students: Sequence[tuple[str, str]]) -> list[RosterRow]:
    """Make a student account with a one-time password for each ``(username, display_name)``
    and put it in the class: one transaction, one query for the names that exist.

    One :class:`RosterRow` per row, in order: :data:`CREATED` with its one-time password
    (must be changed at the first sign-in); :data:`ALREADY_IN_CLASS` for an account already in
    this class; :data:`EXISTS` for any other account, which is not enrolled, so a roster cannot
    enrol (or reveal, or later delete) another class's student: they join with the class code;
    ``error: ...`` for a username that is not valid or that an earlier row named. A roster
    never makes a teacher, and more than :data:`ROSTER_LIMIT` rows is :class:`Invalid`.
    """
    if len(students) > ROSTER_LIMIT:
        raise Invalid(f"A roster adds at most {ROSTER_LIMIT} students at a time; split the file.")
    made: dict[str, tuple[str, str]] = {}  # username -> (one-time password, its hash), across tries
    for _ in range(3):
        try:
            return _enrol(classroom, students, made)
        except IntegrityError:  # a username was taken meanwhile: look again
            db.session.rollback()
    raise Conflict("Some of these usernames were being taken at the same time; try again.")


def _enrol(classroom: Classroom, students: Sequence[tuple[str, str]],
           made: dict[str, tuple[str, str]]) -> list[RosterRow]:
    rows: list[RosterRow] = []
    wanted: dict[str, RosterRow] = {}
    for given, display_name in students:
        display = accounts.one_line(display_name, 100)
        try:
            name = accounts.check_username(given)
            accounts.check_display_name(display)
        except Invalid as error:
            rows.append(RosterRow(given, display or given, None, f"error: {error.message}"))
            continue
        if name in wanted:
            rows.append(RosterRow(name, display or name, None,
                                  "error: An earlier row has this username; only the first counts."))
            continue
        wanted[name] = RosterRow(name, display or name, None)
        rows.append(wanted[name])
    existing = {
        username: (account_id, display) for account_id, username, display in db.session.execute(
            select(Account.id, Account.username, Account.display_name)
            .where(Account.username.in_(wanted))
        ).all()
    } if wanted else {}
    in_class = set(db.session.execute(
        select(Membership.account_id).where(
            Membership.classroom_id == classroom.id,
            Membership.account_id.in_([account_id for account_id, _ in existing.values()]))
    ).scalars()) if existing else set()
    new: list[dict[str, object]] = []
    for name, row in wanted.items():
        if name in existing:
            account_id, display = existing[name]
            if account_id in in_class:  # the teacher sees the class's students: nothing leaks
                row.display_name, row.note = display, ALREADY_IN_CLASS
            else:  # shown as the file names it: nothing about the account leaks
                row.note = EXISTS
            continue
        if name not in made:
            password = accounts.generate_password()
            made[name] = (password, accounts.hash_one_time_password(password))
        row.password, password_hash = made[name]
        row.note = CREATED
        new.append({"username": name, "display_name": row.display_name, "password_hash": password_hash,
                    "role": "student", "must_change_password": True})
    if new:
        # Batched inserts: the ORM would insert row by row to learn each id (on SQLite).
        db.session.execute(insert(Account), new)
        ids = dict(db.session.execute(
            select(Account.username, Account.id).where(Account.username.in_([a["username"] for a in new]))
        ).all())
        taken = db.session.execute(
            select(func.count(Membership.id)).where(Membership.classroom_id == classroom.id)
        ).scalar_one()
        db.session.execute(insert(Membership), [
            {"classroom_id": classroom.id, "account_id": ids[account["username"]],
             "nickname": f"Reader {taken + n}"}
            for n, account in enumerate(new, start=1)
        ])
        touch_board(classroom.id)
    db.session.commit()
    return rows


def add_roster(classroom: Classroom, text: str) -> list[RosterRow]:
    """The browser's roster upload: a CSV of ``username,display_name`` for :func:`enrol_students`.

    A CSV with a ``role`` or ``password`` column is refused whole (:class:`Invalid`).
    """
    return enrol_students(classroom, [(row.get("username", ""), row.get("display_name", ""))
                                      for row in parse_roster(text)])


def only_teacher_of(account_id: int, teacher_id: int) -> bool:
    """Whether every class the student is in is taught by ``teacher_id``."""
    others = db.session.execute(
        select(func.count(Membership.id)).join(Classroom, Classroom.id == Membership.classroom_id)
        .where(Membership.account_id == account_id, Classroom.teacher_id != teacher_id)
    ).scalar_one()
    return others == 0


#: The largest attempt limit, time limit (seconds), question count and accommodation an
#: assignment takes.
MAX_ATTEMPTS, MAX_TIME_LIMIT, MAX_QUESTION_COUNT = 1000, 86400, 1000
MAX_EXTRA_TIME_PERCENT, MAX_EXTRA_ATTEMPTS = 1000, 1000


def check_assignment_options(*, opens_at: dt.datetime | None, due_at: dt.datetime | None,
                             max_attempts: int | None, time_limit_seconds: int | None,
                             show_answers: str, close_at_due: bool, shuffle_questions: bool,
                             question_count: int | None, bank_questions: int | None = None) -> None:
    """:class:`Invalid`, with a sentence that says which, unless the options fit together."""
    if opens_at and due_at and due_at <= opens_at:
        raise Invalid("The due date must come after the opening date.")
    for value, what, most in ((max_attempts, "attempt limit", MAX_ATTEMPTS),
                              (time_limit_seconds, "time limit", MAX_TIME_LIMIT),
                              (question_count, "number of questions", MAX_QUESTION_COUNT)):
        if value is not None and not 0 < value <= most:
            raise Invalid(f"The {what} must be between 1 and {most}.")
    if show_answers not in SHOW_ANSWERS:
        raise Invalid(f"show_answers is one of: {', '.join(SHOW_ANSWERS)}.")
    if show_answers == "after_due" and due_at is None:
        raise Invalid("Answers shown after the due date need a due date.")
    if close_at_due and due_at is None:
        raise Invalid("Closing at the due date needs a due date.")
    if not isinstance(close_at_due, bool) or not isinstance(shuffle_questions, bool):
        raise Invalid("close_at_due and shuffle_questions are true or false.")
    if question_count is not None and bank_questions is not None and question_count > bank_questions:
        raise Invalid(f"The quiz has {bank_questions} questions: ask at most {bank_questions}.")


def bank_question_count(bank_id: str) -> int:
    """How many questions the bank asks now (not retired)."""
    from quizapp.models import Question

    return db.session.execute(
        select(func.count(Question.id)).where(Question.bank_id == bank_id,
                                              Question.retired_at.is_(None))
    ).scalar_one()


def create_assignment(classroom: Classroom, bank_id: str, *, opens_at: dt.datetime | None = None,
                      due_at: dt.datetime | None = None, max_attempts: int | None = None,
                      time_limit_seconds: int | None = None, show_answers: str = "immediately",
                      close_at_due: bool = False, shuffle_questions: bool = False,
                      question_count: int | None = None) -> Assignment:
    """Set a bank for the class. :class:`NotFound` for a bank its teacher may not see;
    :class:`Invalid` for options that do not fit (see :func:`check_assignment_options`)."""
    # a bank id is a slug: one with a control character names none (and NUL breaks PostgreSQL)
    bank = db.session.get(Bank, bank_id) if bank_id.isprintable() else None
    if bank is None or not authoring.can_see(classroom.teacher, bank):
        raise NotFound("There is no such quiz.")
    check_assignment_options(
        opens_at=opens_at, due_at=due_at, max_attempts=max_attempts,
        time_limit_seconds=time_limit_seconds, show_answers=show_answers,
        close_at_due=close_at_due, shuffle_questions=shuffle_questions,
        question_count=question_count,
        bank_questions=bank_question_count(bank_id) if question_count is not None else None)
    assignment = Assignment(
        classroom_id=classroom.id, bank_id=bank_id, opens_at=opens_at, due_at=due_at,
        max_attempts=max_attempts, time_limit_seconds=time_limit_seconds,
        show_answers=show_answers, close_at_due=close_at_due,
        shuffle_questions=shuffle_questions, question_count=question_count,
    )
    db.session.add(assignment)
    touch_board(classroom.id)
    db.session.commit()
    return assignment


def assignment_for(assignment_id: int, account_id: int) -> tuple[Assignment, bool]:
    """The assignment and whether the account teaches its class; others get NotFound."""
    assignment = db.session.get(Assignment, assignment_id)
    if assignment is None:
        raise NotFound("There is no such assignment.")
    class_for_member(assignment.classroom_id, account_id)
    return assignment, assignment.classroom.teacher_id == account_id


def delete_assignment(assignment: Assignment) -> None:
    """Remove the assignment and its accommodations. Its attempts stay in the students'
    history: they lose their link to it (``assignment_id`` becomes None) and keep their
    ``scope``, so their numbers stay unique and a new assignment's attempts start at 1."""
    classroom_id = assignment.classroom_id
    db.session.delete(assignment)
    touch_board(classroom_id)
    db.session.commit()


@dataclass
class AssignmentStatus:
    """One assignment as a student sees it on their list."""

    assignment: Assignment
    attempts: int
    #: The best finished attempt's fraction; None before one finishes, and while the
    #: assignment does not show answers (marks) to this student yet.
    best: float | None
    finished: bool
    #: The student's due date: their accommodation's, else the assignment's.
    due_at: dt.datetime | None = None
    #: Whether marks and keys are shown to this student now (see services.release).
    released: bool = True
    #: Whether the assignment no longer takes attempts or answers from them (close_at_due).
    closed: bool = False
    #: Attempts they may start in all, accommodation included; None: no limit.
    attempt_limit: int | None = None

    @property
    def late(self) -> bool:
        due = self.due_at if self.due_at is not None else self.assignment.due_at
        return due is not None and not self.finished and utcnow() > due


def assignments_for_student(account_id: int) -> list[AssignmentStatus]:
    """Everything assigned to the student's classes, soonest due first, with their progress."""
    rows = db.session.execute(
        select(Assignment).join(Membership, Membership.classroom_id == Assignment.classroom_id)
        .where(Membership.account_id == account_id)
        .options(joinedload(Assignment.bank), joinedload(Assignment.classroom))
    ).scalars().all()
    stats = {
        assignment_id: (count, best, done)
        for assignment_id, count, best, done in db.session.execute(
            select(Attempt.assignment_id, func.count(Attempt.id),
                   func.max(Attempt.score / Attempt.points),
                   func.count(Attempt.finished_at))
            .where(Attempt.account_id == account_id, Attempt.assignment_id.is_not(None))
            .group_by(Attempt.assignment_id)
        ).all()
    }
    accommodations = {
        a.assignment_id: a for a in db.session.execute(
            select(Accommodation).where(Accommodation.account_id == account_id)).scalars()
    }
    now = utcnow()
    result = []
    for assignment in rows:
        count, best, done = stats.get(assignment.id, (0, None, 0))
        extra = accommodations.get(assignment.id)
        due = extra.due_at if extra is not None and extra.due_at is not None else assignment.due_at
        released = (assignment.show_answers == "immediately"
                    or (assignment.show_answers == "after_due" and due is not None and now >= due))
        limit = assignment.max_attempts or assignment.bank.settings.get("max_attempts")
        result.append(AssignmentStatus(
            assignment, count, best if released else None, bool(done), due_at=due,
            released=released,
            closed=bool(assignment.close_at_due and due is not None and now > due),
            attempt_limit=limit + (extra.extra_attempts if extra else 0) if limit else None))
    far = dt.datetime.max
    result.sort(key=lambda s: (s.finished, s.due_at or far, s.assignment.id))
    return result
