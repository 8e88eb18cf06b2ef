"""Small charts drawn on the server as SVG data for templates (no JavaScript)."""

from __future__ import annotations

from dataclasses import dataclass

from quizapp.services.progress import AttemptPoint


@dataclass
class Chart:
    width: int
    height: int
    points: list[tuple[float, float, AttemptPoint]]

    @property
    def polyline(self) -> str:
        return " ".join(f"{x:.1f},{y:.1f}" for x, y, _ in self.points)


def attempts_chart(attempts: list[AttemptPoint], width: int = 320, height: int = 120) -> Chart:
    """Scores over attempts, oldest left: x spreads attempts evenly, y is 0-100%."""
    pad = 12
    count = len(attempts)
    step = (width - 2 * pad) / (count - 1) if count > 1 else 0
    points = []
    for i, attempt in enumerate(attempts):
        x = pad + i * step if count > 1 else width / 2
        y = pad + (1 - attempt.fraction) * (height - 2 * pad)
        points.append((x, y, attempt))
    return Chart(width, height, points)
