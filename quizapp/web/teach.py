"""Teachers' authoring pages: their banks and drafts, the bank editor, articles."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user

from quizapp.extensions import limit_checks, login_manager
from quizapp.models import Account, Bank, BankDraft
from quizapp.services import authoring
from quizapp.services import quiz as quiz_service
from quizapp.services.errors import Conflict, Forbidden, NotFound, ServiceError
from quizapp.web import CONTENT_SECURITY_POLICY
from quizapp.web.display import teacher_view
from quizapp.web.forms import (
    ActionForm,
    ArticleForm,
    BankEditorForm,
    BankImportForm,
    BankUploadForm,
    PreviewRequest,
)

bp = Blueprint("teach", __name__, url_prefix="/teach")

#: A question of each type, inserted by the editor's buttons; each is valid once its
#: placeholders are replaced (the validator says which are still placeholders).
QUESTION_TEMPLATES: dict[str, str] = {
    "single": """  - id: new-single
    type: single
    prompt: Which ... does the article name as ...?
    choices: [Right answer, Wrong answer, Another wrong answer]
    answer: Right answer
    explanation: Paragraph N says ...
    skill: recall
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "multiple": """  - id: new-multiple
    type: multiple
    prompt: Which of these does the article say ...? Choose all that apply.
    choices: [First right, Second right, Wrong one, Another wrong one]
    answer: [First right, Second right]
    explanation: Paragraph N names ...
    skill: recall
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "true_false": """  - id: new-true-false
    type: true_false
    prompt: The article says ...
    answer: true
    explanation: Paragraph N says ...
    skill: evidence
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "short": """  - id: new-short
    type: short
    prompt: Who does the article quote about ...?
    answer: [Full name, Surname]
    explanation: Paragraph N quotes ...
    skill: attribution
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "numeric": """  - id: new-numeric
    type: numeric
    prompt: In which year did ...?
    answer: 2017
    explanation: Paragraph N says ...
    skill: recall
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "ordering": """  - id: new-ordering
    type: ordering
    prompt: Put these in the order the article mentions them.
    items: [First, Second, Third]
    explanation: First in paragraph N, then ...
    skill: sourcing
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
    "matching": """  - id: new-matching
    type: matching
    prompt: Match each ... with its ...
    pairs:
      Left one: Right one
      Left two: Right two
    distractors: [Not a match]
    explanation: Paragraph N says ...
    skill: context
    evidence: {paragraph: 1, quote: "words copied from that paragraph"}
""",
}

TYPE_NAMES = {"single": "One answer", "multiple": "Several answers", "true_false": "True or false",
              "short": "Short answer", "numeric": "Number", "ordering": "Put in order",
              "matching": "Match pairs"}


def starter_yaml(article_id: str | None) -> str:
    """The text a new bank starts from."""
    source = f"source: {article_id}\n" if article_id else ""
    return ("format: 1\nid: my-new-bank\ntitle: My new quiz\n"
            "description: What the quiz is about, for students.\n" + source +
            "questions:\n" + QUESTION_TEMPLATES["single"])


@bp.before_request
def teachers_only() -> Any:
    if not current_user.is_authenticated:
        return login_manager.unauthorized()
    if not current_user.is_teacher:
        abort(403, "Only teachers write banks and articles.")
    return None


def _me() -> Account:
    return current_user._get_current_object()  # type: ignore[no-any-return]


def _or_404(call: Any, *args: Any) -> Any:
    try:
        return call(*args)
    except NotFound:
        abort(404)
    except Forbidden as error:
        abort(403, error.message)


# -- the list ---------------------------------------------------------------------------------------


def _banks_page(upload_form: BankUploadForm | None = None, import_form: BankImportForm | None = None,
                import_problems: list[str] | None = None) -> str:
    me = _me()
    return render_template(
        "teach/banks.html", mine=authoring.banks_by(me), drafts=authoring.drafts_of(me),
        shared=authoring.shared_banks(me), library=authoring.library_banks(),
        articles=authoring.articles_for(me),
        upload_form=upload_form or BankUploadForm(formdata=None),
        import_form=import_form or BankImportForm(formdata=None, prefix="import"),
        import_problems=import_problems or [],
    )


@bp.get("/banks")
def banks() -> str:
    return _banks_page()


@bp.post("/banks/upload")
def upload() -> Any:
    form = BankUploadForm()
    if form.validate_on_submit():
        raw = form.file.data.read(authoring.MAX_YAML_CHARS + 1)
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            form.file.errors.append("The file could not be read as text: save it as UTF-8.")
        else:
            try:
                draft = authoring.save_draft(_me(), text)
            except ServiceError as error:
                form.file.errors.append(error.message)
            else:
                flash("The file is open as a draft: check it, then publish it.", "success")
                return redirect(url_for("teach.draft", draft_id=draft.id), code=303)
    return _banks_page(upload_form=form), 422


def _with_notes(text: str, notes: list[Any], filename: str) -> str:
    """The imported bank with what the file could not keep at its top, as YAML comments."""
    if not notes:
        return text
    lines = [f"# Not kept as it was in {filename} (delete these lines when you have read them):"]
    lines += ["# - " + " ".join(str(note).split()) for note in notes]
    return "\n".join(lines) + "\n" + text


@bp.post("/banks/import")
@limit_checks()
def import_file() -> Any:
    """A GIFT file or a QTI package, read into a new draft; what it could not keep is listed."""
    form = BankImportForm(prefix="import")  # its fields' ids apart from the upload form's
    if not form.validate_on_submit():
        return _banks_page(import_form=form), 422
    from quizapp.interchange import ImportFailed
    from quizapp.interchange.common import MAX_ZIP_BYTES
    from quizapp.services import interchange

    raw = form.file.data.read(MAX_ZIP_BYTES + 1)
    filename = " ".join(str(form.file.data.filename or "the file").split())[:100]
    try:
        result, _ = interchange.import_file(_me(), form.format.data, raw, bank_id=form.bank_id.data,
                                            title=form.title.data)
        draft = authoring.save_draft(_me(), _with_notes(result.yaml, result.notes, filename))
    except ImportFailed as failed:
        problems = [f"{p.item}: {p.message}" if p.item else f"Line {p.line}, column {p.column}: {p.message}"
                    for p in failed.problems]
        return _banks_page(import_form=form, import_problems=problems), 422
    except ServiceError as error:
        return _banks_page(import_form=form, import_problems=[error.message]), 422
    count = len(result.data["questions"])
    flash(f"{count} question{'s' if count != 1 else ''} imported as a draft: check each one, write "
          "the explanations the file did not have, then publish it.", "success")
    if result.notes:
        flash(f"{len(result.notes)} thing{'s' if len(result.notes) != 1 else ''} in the file could not "
              "be kept as {0}: see the comments at the top of the text.".format(
                  "they were" if len(result.notes) != 1 else "it was"), "warning")
    return redirect(url_for("teach.draft", draft_id=draft.id), code=303)


# -- the editor -------------------------------------------------------------------------------------


#: The editor's page only: typing over a selection of several lines, the browser's own editing
#: of the code editor's text writes style attributes before the editor redraws them. Scripts
#: and style elements stay limited to this site.
EDITOR_CSP = CONTENT_SECURITY_POLICY + "; style-src-attr 'unsafe-inline'"


def _editor(form: BankEditorForm, *, draft: BankDraft | None = None, bank: Bank | None = None,
            checked: authoring.Checked | None = None, status: int = 200) -> Response:
    response = make_response(render_template(
        "teach/editor.html", form=form, draft=draft, bank=bank, checked=checked,
        templates=QUESTION_TEMPLATES, type_names=TYPE_NAMES,
        preview_form=PreviewRequest(formdata=None),
    ), status)
    response.headers["Content-Security-Policy"] = EDITOR_CSP
    return response


def _append_template(text: str, kind: str) -> str:
    template = QUESTION_TEMPLATES.get(kind)
    if template is None:
        return text
    return text.rstrip("\n") + "\n" + template


def _handle(form: BankEditorForm, *, draft: BankDraft | None, bank: Bank | None) -> Any:
    """One press of the editor's buttons: check, insert a question, save a draft, publish."""
    me = _me()
    text = (form.yaml.data or "").replace("\r\n", "\n")
    action = request.form.get("action") or ("insert" if request.form.get("insert") else "check")
    if action == "insert":
        form.yaml.data = _append_template(text, request.form.get("insert", ""))
        return _editor(form, draft=draft, bank=bank, checked=authoring.check_yaml(form.yaml.data))
    if action == "draft":
        try:
            draft = authoring.save_draft(me, text, draft_id=draft.id if draft else None,
                                         bank_id=bank.id if bank else None,
                                         visibility=form.visibility.data)
        except ServiceError as error:
            form.yaml.errors.append(error.message)
            return _editor(form, draft=draft, bank=bank, status=422)
        flash("Draft saved. Students do not see drafts.", "success")
        if bank is not None:
            return redirect(url_for("teach.edit", bank_id=bank.id), code=303)
        return redirect(url_for("teach.draft", draft_id=draft.id), code=303)
    if action == "publish":
        try:
            saved = authoring.publish(me, text, draft=draft, bank_id=bank.id if bank else None,
                                      visibility=form.visibility.data)
        except authoring.BankInvalid as error:
            form.yaml.errors.append(error.message)
            return _editor(form, draft=draft, bank=bank, checked=error.checked, status=422)
        except (Conflict, ServiceError) as error:
            form.yaml.errors.append(error.message)
            return _editor(form, draft=draft, bank=bank, checked=authoring.check_yaml(text), status=422)
        counts = ", ".join(f"{n} {what}" for what, n in saved.changes.items() if n)
        flash(f"“{saved.bank.title}” is published ({counts or 'no questions changed'}).", "success")
        return redirect(url_for("teach.bank", bank_id=saved.bank.id), code=303)
    checked = authoring.check_yaml(text)
    return _editor(form, draft=draft, bank=bank, checked=checked,
                   status=200 if not checked.problems else 422)


@bp.route("/banks/new", methods=["GET", "POST"])
@limit_checks()
def new_bank() -> Any:
    form = BankEditorForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _editor(form, status=422)
        return _handle(form, draft=None, bank=None)
    article_id = request.args.get("article")
    form.yaml.data = starter_yaml(article_id if article_id and article_id.isprintable() else None)
    return _editor(form)


@bp.route("/drafts/<id:draft_id>", methods=["GET", "POST"])
@limit_checks()
def draft(draft_id: int) -> Any:
    found = _or_404(authoring.own_draft, _me(), draft_id)
    if found.bank_id is not None:
        return redirect(url_for("teach.edit", bank_id=found.bank_id), code=303)
    form = BankEditorForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _editor(form, draft=found, status=422)
        return _handle(form, draft=found, bank=None)
    form.yaml.data, form.visibility.data = found.yaml, found.visibility
    return _editor(form, draft=found, checked=authoring.check_yaml(found.yaml))


@bp.route("/drafts/<id:draft_id>/discard", methods=["GET", "POST"])
def discard(draft_id: int) -> Any:
    """Asks first (the page says what is lost), then discards on the confirming POST."""
    found = _or_404(authoring.own_draft, _me(), draft_id)
    form = ActionForm()
    if request.method == "GET" or not form.validate_on_submit():
        return render_template("teach/discard.html", draft=found, form=form)
    authoring.discard_draft(found)
    flash("The draft is discarded.", "info")
    return redirect(url_for("teach.banks"), code=303)


@bp.route("/banks/<bank_id>/edit", methods=["GET", "POST"])
@limit_checks()
def edit(bank_id: str) -> Any:
    me = _me()
    found = _or_404(authoring.own_bank, me, bank_id)
    saved_draft = authoring.draft_for(me, found.id)
    form = BankEditorForm()
    if request.method == "POST":
        if not form.validate_on_submit():
            return _editor(form, draft=saved_draft, bank=found, status=422)
        return _handle(form, draft=saved_draft, bank=found)
    text = saved_draft.yaml if saved_draft else authoring.source_of(found)
    form.yaml.data = text
    form.visibility.data = saved_draft.visibility if saved_draft else found.visibility
    return _editor(form, draft=saved_draft, bank=found, checked=authoring.check_yaml(text))


@bp.post("/editor/preview")
@limit_checks()
def preview() -> Response:
    """The question under the editor's cursor, as a student sees it and as the teacher does."""
    if request.is_json and not _strings_and_a_line(request.get_json(silent=True)):
        return jsonify(error="Send {\"yaml\": text, \"line\": number}."), 422
    form = PreviewRequest()
    if not form.validate_on_submit():
        return jsonify(error="Send the text and the cursor's line."), 422
    under = authoring.question_under(form.yaml.data or "", form.line.data or 1)
    item = teacher_view(under.source, under.content) if under.content is not None else None
    html = render_template("teach/_preview.html", item=item, message=under.message)
    return jsonify(html=html)


def _strings_and_a_line(data: Any) -> bool:
    return (isinstance(data, dict) and isinstance(data.get("yaml", ""), str)
            and isinstance(data.get("line", 1), int | str) and not isinstance(data.get("line"), bool))


# -- a bank's own page ---------------------------------------------------------------------------


@bp.get("/banks/<bank_id>")
def bank(bank_id: str) -> str:
    me = _me()
    found = _or_404(authoring.readable_bank, me, bank_id)
    questions = [teacher_view(found.source_id, v.content) for v in quiz_service.current_versions(found.id)]
    return render_template("teach/bank.html", bank=found, questions=questions,
                           mine=found.owner_id == me.id, draft=authoring.draft_for(me, found.id),
                           exports=EXPORTS, export_notes=_export_notes(found))


EXPORTS = {
    "gift": "Moodle (GIFT)",
    "qti21": "QTI 2.1 package",
    "canvas": "Canvas (QTI 1.2)",
}


def _export_notes(bank: Bank) -> dict[str, list[str]]:
    """For each format, what it cannot hold of this bank, to say so beside its link."""
    from quizapp.interchange import export_bank

    try:
        checked = authoring.check_yaml(authoring.source_of(bank), f"{bank.id}.yaml")
    except NotFound:
        return {}
    if checked.bank is None:
        return {}
    return {fmt: [str(n) for n in export_bank(checked.bank.bank, fmt).notes] for fmt in EXPORTS}


@bp.get("/banks/<bank_id>/export/<fmt>")
def export(bank_id: str, fmt: str) -> Response:
    from quizapp.services import interchange

    if fmt not in EXPORTS:
        abort(404)
    try:
        exported = interchange.export(_me(), bank_id, fmt)
    except NotFound:
        abort(404)
    except Conflict as error:
        abort(409, error.message)
    response = Response(exported.content, mimetype=exported.media_type.split(";")[0])
    response.headers["Content-Disposition"] = f'attachment; filename="{exported.filename}"'
    response.headers["Cache-Control"] = "private, no-store"  # answer keys
    return response


@bp.get("/banks/<bank_id>/source.yaml")
def download(bank_id: str) -> Response:
    found = _or_404(authoring.readable_bank, _me(), bank_id)
    response = Response(_or_404(authoring.source_of, found), mimetype="text/plain")
    response.headers["Content-Disposition"] = f'attachment; filename="{found.id}.yaml"'
    return response


@bp.post("/banks/<bank_id>/copy")
def copy(bank_id: str) -> Any:
    me = _me()
    found = _or_404(authoring.readable_bank, me, bank_id)
    new = _or_404(authoring.copy_bank, me, found)
    flash(f"A copy of “{found.title}” is open as a draft with a new id: adapt it, then publish it.",
          "success")
    return redirect(url_for("teach.draft", draft_id=new.id), code=303)


@bp.post("/banks/<bank_id>/try")
def try_bank(bank_id: str) -> Any:
    """Take the bank as a student would; the attempt counts nowhere (kind "preview")."""
    me = _me()
    found = _or_404(authoring.readable_bank, me, bank_id)
    try:
        attempt = quiz_service.start_preview(me.id, found.id)
    except ServiceError as error:
        flash(error.message, "warning")
        return redirect(url_for("teach.bank", bank_id=found.id), code=303)
    return redirect(url_for("quiz.attempt", attempt_id=attempt.id), code=303)


# -- articles -----------------------------------------------------------------------------------------


def _article_input(form: ArticleForm) -> authoring.ArticleInput:
    return authoring.ArticleInput(
        title=form.title.data or "", body=form.body.data or "", outlet=form.outlet.data or None,
        author=form.author.data or None, published=form.published.data, url=form.url.data or None,
        image={"alt": form.image_alt.data or "", "caption": form.image_caption.data or "",
               "credit": form.image_credit.data or ""})


@bp.route("/articles/new", methods=["GET", "POST"])
def new_article() -> Any:
    form = ArticleForm()
    numbered = None
    if form.validate_on_submit():
        data = _article_input(form)
        if request.form.get("action") == "preview":
            numbered = authoring.split_body(data.body)
        else:
            try:
                row = authoring.create_article(_me(), data, form.article_id.data or None)
            except ServiceError as error:
                (form.article_id if isinstance(error, Conflict) else form.body).errors.append(error.message)
            else:
                flash(f"“{row.title}” is saved with {len(row.paragraphs)} numbered paragraphs. "
                      "Write a bank about it next.", "success")
                return redirect(url_for("articles.read", article_id=row.id), code=303)
    status = 422 if form.errors else 200
    return render_template("teach/article.html", form=form, numbered=numbered, article=None), status


@bp.route("/articles/<article_id>/edit", methods=["GET", "POST"])
def edit_article(article_id: str) -> Any:
    me = _me()
    found = _or_404(authoring.own_article, me, article_id)
    form = ArticleForm(obj=None)
    numbered = None
    if request.method == "GET":
        meta = found.meta or {}
        form.title.data, form.body.data = found.title, found.body
        form.outlet.data, form.author.data, form.url.data = (meta.get("outlet"), meta.get("author"),
                                                             meta.get("url"))
        image = meta.get("image") or {}
        form.image_alt.data, form.image_caption.data, form.image_credit.data = (
            image.get("alt"), image.get("caption"), image.get("credit"))
        try:
            form.published.data = dt.date.fromisoformat(str(meta["published"])) if meta.get(
                "published") else None
        except ValueError:
            form.published.data = None
        form.article_id.data = found.id
    elif form.validate_on_submit():
        data = _article_input(form)
        if request.form.get("action") == "preview":
            numbered = authoring.split_body(data.body)
        else:
            try:
                authoring.update_article(me, found, data)
            except ServiceError as error:
                form.body.errors.append(error.message)
            else:
                flash("The article is saved.", "success")
                return redirect(url_for("articles.read", article_id=found.id), code=303)
    status = 422 if form.errors else 200
    return render_template("teach/article.html", form=form, numbered=numbered, article=found), status
