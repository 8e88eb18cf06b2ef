"""Database models: articles, banks, questions and versions; accounts, attempts, answers; classes."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

from flask_login import UserMixin
from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint, and_, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from quizapp.extensions import db


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


class Article(db.Model):
    """A source article; ``blocks`` are its headings and numbered paragraphs in order."""

    __tablename__ = "article"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    meta: Mapped[dict[str, Any]] = mapped_column(JSON)
    blocks: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    content_hash: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: The teacher who wrote it in the browser; None for an article from ``seeds/``.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    #: The body as the teacher wrote it (Markdown), for editing; None for seeds.
    body: Mapped[str | None] = mapped_column(Text)

    banks: Mapped[list[Bank]] = relationship(back_populates="article")

    @property
    def paragraphs(self) -> list[str]:
        return [b["text"] for b in self.blocks if b.get("number")]


class Bank(db.Model):
    """A question bank as loaded from its file; ``id`` is the bank's slug."""

    __tablename__ = "bank"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    title: Mapped[str] = mapped_column(String(500))
    description: Mapped[str | None] = mapped_column(Text)
    source_id: Mapped[str | None] = mapped_column(ForeignKey("article.id"), index=True)
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    as_of: Mapped[dt.date | None]
    review_by: Mapped[dt.date | None]
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Hash of everything in the file but the questions, to tell an edited header.
    header_hash: Mapped[str] = mapped_column(String(64))
    file_path: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    #: The teacher who wrote it in the browser; None for a bank loaded from files.
    owner_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    #: "private" (its author, and students it is assigned to) or "teachers" (every teacher
    #: may preview, assign and copy it). Banks from files are everyone's, whatever this says.
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    #: The YAML text it was last saved or loaded from.
    source_yaml: Mapped[str | None] = mapped_column(Text)

    article: Mapped[Article | None] = relationship(back_populates="banks")
    questions: Mapped[list[Question]] = relationship(
        back_populates="bank", order_by="Question.position"
    )


class BankDraft(db.Model):
    """A teacher's bank text kept as it is, valid or not; students never see a draft."""

    __tablename__ = "bank_draft"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    #: The published bank this draft edits, if any.
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    yaml: Mapped[str] = mapped_column(Text)
    visibility: Mapped[str] = mapped_column(String(16), default="private")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Question(db.Model):
    """A question of a bank, stable across edits; its content lives in versions."""

    __tablename__ = "question"
    __table_args__ = (UniqueConstraint("bank_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"))
    #: The question's id in its bank file.
    key: Mapped[str] = mapped_column(String(64))
    position: Mapped[int]
    #: Number of the version now asked.
    version: Mapped[int] = mapped_column(default=1)
    retired_at: Mapped[dt.datetime | None]

    bank: Mapped[Bank] = relationship(back_populates="questions")
    versions: Mapped[list[QuestionVersion]] = relationship(
        back_populates="question", order_by="QuestionVersion.number"
    )
    current: Mapped[QuestionVersion] = relationship(
        primaryjoin=lambda: and_(
            QuestionVersion.question_id == Question.id, QuestionVersion.number == Question.version
        ),
        viewonly=True,
    )


class QuestionVersion(db.Model):
    """One content of a question; attempts point here, so history keeps its answer key."""

    __tablename__ = "question_version"
    __table_args__ = (
        UniqueConstraint("question_id", "number"),
        Index("ix_question_version_hash", "question_id", "content_hash"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"))
    number: Mapped[int]
    content_hash: Mapped[str] = mapped_column(String(64))
    #: The validated question as JSON (format 1), answer key included.
    content: Mapped[dict[str, Any]] = mapped_column(JSON)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship(back_populates="versions")


ROLES = ("student", "teacher")


class Account(UserMixin, db.Model):
    """A person who signs in: a student or a teacher."""

    __tablename__ = "account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Lower-cased, so sign-in ignores case.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    password_hash: Mapped[str] = mapped_column(String(255))
    role: Mapped[str] = mapped_column(String(16), default="student")
    #: Set for one-time passwords, which must be changed at the next sign-in.
    must_change_password: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    @property
    def is_teacher(self) -> bool:
        return self.role == "teacher"

    def get_id(self) -> str:
        """The id a session keeps: it changes with the password, which ends other sessions."""
        return f"{self.id}.{hashlib.sha256(self.password_hash.encode()).hexdigest()[:16]}"


class ApiToken(db.Model):
    """A bearer token for the JSON API; only its SHA-256 hash is stored."""

    __tablename__ = "api_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    account: Mapped[Account] = relationship()


class LoginSession(db.Model):
    """A signed-in browser session; signing out deletes it, so its cookie stops working."""

    __tablename__ = "login_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the random id the session cookie carries.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class Attempt(db.Model):
    """One sitting of a bank by a student; its questions are fixed when it starts.

    Whole-bank attempts are numbered per student, bank and ``scope``, and the
    number is unique: two starts that race for the same number cannot both be
    stored, so an attempt limit holds however many requests arrive at once. A
    student has at most one unfinished review, for the same reason.
    """

    __tablename__ = "attempt"
    __table_args__ = (
        Index("ix_attempt_account_bank", "account_id", "bank_id"),
        UniqueConstraint("account_id", "bank_id", "scope", "number", name="uq_attempt_number"),
        Index("uq_attempt_open_review", "account_id", unique=True,
              sqlite_where=text("kind = 'review' AND finished_at IS NULL"),
              postgresql_where=text("kind = 'review' AND finished_at IS NULL")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    #: The bank attempted; None for a review attempt, whose questions come from any bank
    #: (each item's version leads to its own bank).
    bank_id: Mapped[str | None] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"))
    #: Set when the attempt was made for a class assignment; None for the student's own, and
    #: for an attempt whose assignment was deleted (its ``scope`` still names the assignment,
    #: and the attempt stays in the student's history).
    assignment_id: Mapped[int | None] = mapped_column(
        ForeignKey("assignment.id", ondelete="SET NULL"), index=True
    )
    #: "full" for the whole bank, "practice" for the questions missed last time, "review"
    #: for spaced review (due questions of any bank, see quizapp.services.review), "preview"
    #: for a teacher's try.
    kind: Mapped[str] = mapped_column(String(16), default="full")
    #: What attempt numbers count within: the assignment's id, or 0 for the bank's own.
    scope: Mapped[int] = mapped_column(default=0)
    #: 1, 2, ... for whole-bank attempts within ``scope``; None for practice.
    number: Mapped[int | None]
    #: Seeds the per-attempt shuffles (choices, and the questions' order and draw when the
    #: assignment asks for them), so they stay the same on every reload.
    seed: Mapped[int]
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    deadline_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    #: Totals, set when the attempt finishes.
    score: Mapped[float | None]
    points: Mapped[float]

    account: Mapped[Account] = relationship()
    bank: Mapped[Bank | None] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    items: Mapped[list[AttemptQuestion]] = relationship(
        back_populates="attempt", order_by="AttemptQuestion.position", cascade="all, delete-orphan"
    )


class AttemptQuestion(db.Model):
    """A question of an attempt, pinned to the version that was asked."""

    __tablename__ = "attempt_question"
    __table_args__ = (UniqueConstraint("attempt_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"))
    position: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)

    attempt: Mapped[Attempt] = relationship(back_populates="items")
    version: Mapped[QuestionVersion] = relationship()
    answer: Mapped[Answer | None] = relationship(back_populates="item", uselist=False)


class Answer(db.Model):
    """A scored response; one per attempt question, so a second submit cannot count."""

    __tablename__ = "answer"

    id: Mapped[int] = mapped_column(primary_key=True)
    attempt_question_id: Mapped[int] = mapped_column(
        ForeignKey("attempt_question.id", ondelete="CASCADE"), unique=True
    )
    #: Denormalised from the attempt question, for progress and reports.
    attempt_id: Mapped[int] = mapped_column(ForeignKey("attempt.id", ondelete="CASCADE"), index=True)
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    score: Mapped[float]
    points: Mapped[float]
    answered_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The teacher's comment with the latest change of the mark, shown to the student.
    comment: Mapped[str | None] = mapped_column(Text)

    item: Mapped[AttemptQuestion] = relationship(back_populates="answer")

    @property
    def correct(self) -> bool:
        return self.score == self.points


class MarkChange(db.Model):
    """One change of an answer's mark by a teacher: who, when, the mark before and after."""

    __tablename__ = "mark_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    answer_id: Mapped[int] = mapped_column(ForeignKey("answer.id", ondelete="CASCADE"), index=True)
    #: The teacher who changed it; None once their account is deleted.
    changed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="SET NULL"), index=True)
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    old_score: Mapped[float]
    new_score: Mapped[float]
    comment: Mapped[str | None] = mapped_column(Text)

    changed_by: Mapped[Account | None] = relationship()


class Classroom(db.Model):
    """A teacher's class; students join it with its code."""

    __tablename__ = "classroom"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    teacher_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    #: How students appear on boards: "display_name" or "nickname".
    board_names: Mapped[str] = mapped_column(String(16), default="display_name")
    board_hidden: Mapped[bool] = mapped_column(default=False)
    #: While set, boards count only attempts finished before this moment.
    board_frozen_at: Mapped[dt.datetime | None]
    #: Goes up on every change that can move a board; caches are keyed by it.
    board_version: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    teacher: Mapped[Account] = relationship()
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan"
    )
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="classroom", cascade="all, delete-orphan", order_by="Assignment.id"
    )


class Membership(db.Model):
    """A student in a class."""

    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("classroom_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    #: Shown on boards instead of the display name when the class says so.
    nickname: Mapped[str] = mapped_column(String(40))
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="memberships")
    account: Mapped[Account] = relationship()


class ReviewCard(db.Model):
    """A question a student is reviewing with spaced repetition: one per student and question
    (a question of a bank, whatever its version), with its FSRS memory state and next due time.

    Made when the student misses the question in a finished attempt whose marks they may see;
    each answer in a review attempt reschedules it (see quizapp.services.review).
    """

    __tablename__ = "review_card"
    __table_args__ = (
        UniqueConstraint("account_id", "question_id"),
        Index("ix_review_card_account_due", "account_id", "due_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"))
    #: Denormalised from the question, for listing a student's cards by bank.
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("question.id", ondelete="CASCADE"), index=True)
    #: The FSRS card (``fsrs.Card.to_dict()``): state, step, stability, difficulty, due, last review.
    memory: Mapped[dict[str, Any]] = mapped_column(JSON)
    due_at: Mapped[dt.datetime]
    #: The latest miss outside review that was folded in (its attempt's finish).
    missed_at: Mapped[dt.datetime | None]
    #: The latest answer in a review attempt.
    last_review_at: Mapped[dt.datetime | None]
    #: Answers in review attempts, and of those the wrong ones.
    reps: Mapped[int] = mapped_column(default=0)
    lapses: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    question: Mapped[Question] = relationship()
    bank: Mapped[Bank] = relationship()


SHOW_ANSWERS = ("immediately", "after_due", "never")


class Assignment(db.Model):
    """A bank set for a class, with optional dates and limits that override the bank's.

    Ids are never reused (AUTOINCREMENT on SQLite too): attempts of a deleted assignment keep
    its id as their ``scope``, and a new assignment must not number its attempts after them.
    """

    __tablename__ = "assignment"
    __table_args__ = {"sqlite_autoincrement": True}

    id: Mapped[int] = mapped_column(primary_key=True)
    classroom_id: Mapped[int] = mapped_column(ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"))
    opens_at: Mapped[dt.datetime | None]
    due_at: Mapped[dt.datetime | None]
    max_attempts: Mapped[int | None]
    time_limit_seconds: Mapped[int | None]
    #: When a student sees marks, keys and explanations: "immediately", "after_due" (after
    #: their due date) or "never" (see quizapp.services.release).
    show_answers: Mapped[str] = mapped_column(String(16), default="immediately")
    #: No attempt starts and no answer is taken after the (student's) due date.
    close_at_due: Mapped[bool] = mapped_column(default=False)
    #: Each attempt asks the questions in its own order.
    shuffle_questions: Mapped[bool] = mapped_column(default=False)
    #: Each attempt asks this many questions drawn from the bank; None: all of them.
    question_count: Mapped[int | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    classroom: Mapped[Classroom] = relationship(back_populates="assignments")
    bank: Mapped[Bank] = relationship()
    accommodations: Mapped[list[Accommodation]] = relationship(
        back_populates="assignment", cascade="all, delete-orphan", passive_deletes=True)


class Accommodation(db.Model):
    """What one student gets on one assignment beyond the class: more time, more attempts,
    a later due date."""

    __tablename__ = "accommodation"
    __table_args__ = (UniqueConstraint("assignment_id", "account_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id", ondelete="CASCADE"))
    account_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    #: Each attempt's time limit grows by this percent (0: none).
    extra_time_percent: Mapped[int] = mapped_column(default=0)
    #: Added to the attempt limit.
    extra_attempts: Mapped[int] = mapped_column(default=0)
    #: The student's own due date, replacing the assignment's; None: the assignment's.
    due_at: Mapped[dt.datetime | None]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    assignment: Mapped[Assignment] = relationship(back_populates="accommodations")
    account: Mapped[Account] = relationship()


GAME_PHASES = ("lobby", "question", "reveal", "podium")


class Game(db.Model):
    """A live game: a teacher hosts a bank question by question; players join with the PIN.

    ``version`` goes up on every change of the game's state (a join, a removal, a step, a
    question closing); pollers are told by it whether anything changed, and a step is taken
    only by the request whose conditional UPDATE on it succeeds.
    """

    __tablename__ = "game"

    id: Mapped[int] = mapped_column(primary_key=True)
    host_id: Mapped[int] = mapped_column(ForeignKey("account.id", ondelete="CASCADE"), index=True)
    bank_id: Mapped[str] = mapped_column(ForeignKey("bank.id", ondelete="CASCADE"), index=True)
    #: The class the game is for, if any; students of it may join signed in.
    classroom_id: Mapped[int | None] = mapped_column(
        ForeignKey("classroom.id", ondelete="CASCADE"), index=True)
    #: Anyone with the PIN may join under a nickname; False: only the class's students.
    guests: Mapped[bool] = mapped_column(default=True)
    seconds_per_question: Mapped[int]
    #: Set while the game is live, cleared when it ends, so a PIN is unique among live games.
    pin: Mapped[str | None] = mapped_column(String(12), unique=True)
    #: Seeds the order of choices shown, the same for every player.
    seed: Mapped[int]
    #: "lobby", "question", "reveal" or "podium".
    phase: Mapped[str] = mapped_column(String(16), default="lobby")
    #: The question asked or revealed (from 1); 0 in the lobby.
    number: Mapped[int] = mapped_column(default=0)
    total: Mapped[int]
    opened_at: Mapped[dt.datetime | None]
    deadline: Mapped[dt.datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The last change of state, for cleaning up games left idle.
    changed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    #: The host's last step, so that a double click makes one step.
    advanced_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]

    host: Mapped[Account] = relationship()
    bank: Mapped[Bank] = relationship()
    questions: Mapped[list[GameQuestion]] = relationship(
        back_populates="game", order_by="GameQuestion.number", cascade="all, delete-orphan",
        passive_deletes=True)


class GameQuestion(db.Model):
    """A question of a game, pinned to the version asked (frozen when the game is made)."""

    __tablename__ = "game_question"
    __table_args__ = (UniqueConstraint("game_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id", ondelete="CASCADE"))
    number: Mapped[int]
    question_version_id: Mapped[int] = mapped_column(ForeignKey("question_version.id"), index=True)
    #: The seconds given to answer it (more for types that need typing or arranging).
    seconds: Mapped[int]

    game: Mapped[Game] = relationship(back_populates="questions")
    version: Mapped[QuestionVersion] = relationship()


class GamePlayer(db.Model):
    """Someone playing a game: a guest known only by a nickname, or a class's student.

    ``nickname_key`` (the nickname folded) is unique per game, so two players cannot share a
    name whatever its case; only the SHA-256 of the player's token is stored.
    """

    __tablename__ = "game_player"
    __table_args__ = (
        UniqueConstraint("game_id", "nickname_key"),
        UniqueConstraint("game_id", "account_id", name="uq_game_player_account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id", ondelete="CASCADE"))
    nickname: Mapped[str] = mapped_column(String(20))
    nickname_key: Mapped[str] = mapped_column(String(80))
    #: The student's account in a class game; None for a guest.
    account_id: Mapped[int | None] = mapped_column(
        ForeignKey("account.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    #: Points and streak as of the last question closed.
    score: Mapped[int] = mapped_column(default=0)
    streak: Mapped[int] = mapped_column(default=0)
    #: Fully right answers.
    correct: Mapped[int] = mapped_column(default=0)
    removed: Mapped[bool] = mapped_column(default=False)
    joined_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class GameAnswer(db.Model):
    """A player's answer to one question of a game: one per player and question, by constraint."""

    __tablename__ = "game_answer"
    __table_args__ = (
        UniqueConstraint("player_id", "number"),
        Index("ix_game_answer_game_number", "game_id", "number"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    player_id: Mapped[int] = mapped_column(ForeignKey("game_player.id", ondelete="CASCADE"))
    #: Denormalised from the player, for the counts of a question.
    game_id: Mapped[int] = mapped_column(ForeignKey("game.id", ondelete="CASCADE"))
    number: Mapped[int]
    response: Mapped[Any] = mapped_column(JSON, nullable=True)
    #: The scoring engine's score over the question's points (0 to 1).
    fraction: Mapped[float]
    #: Points for speed and rightness, the streak bonus included.
    points: Mapped[int]
    bonus: Mapped[int] = mapped_column(default=0)
    arrived_at: Mapped[dt.datetime]
