"""Classes in the browser: teachers run them, students join them."""

from flask import Blueprint

bp = Blueprint("classes", __name__, url_prefix="/classes")
