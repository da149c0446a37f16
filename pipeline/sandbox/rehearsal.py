"""Set review statuses (appendix 4) and final results (appendix 5) in the sandbox's state,
so that results and reconciliation can be rehearsed end to end."""

from __future__ import annotations

import random
from dataclasses import dataclass

from pipeline.sandbox.store import SandboxStore

REASONS = {
    2: ["نمرات با کارنامه مطابقت ندارد", "مدارک ناقص است"],
    3: ["تاریخ شروع دوره اصلاح شود", "نمره اخلاق حرفه‌ای بازبینی شود"],
}


@dataclass
class ReviewSummary:
    changed: int
    statuses: dict[int, int]
    results: dict[int, int]


@dataclass(frozen=True)
class Review:
    """What a review sets: a review status (appendix 4), its reason and a final result
    (appendix 5), for one resident's declarations or (``student_number`` None) all of them;
    with ``seed`` and no status, drawn at random."""

    student_number: str | None = None
    status_id: int | None = None
    final_result_id: int | None = None
    description: str | None = None
    seed: int | None = None


def apply_review(
    store: SandboxStore,
    year_id: int,
    review: Review,
) -> ReviewSummary:
    """Set one declaration's (or every declaration's of the year) review and final result.

    With ``seed`` and no explicit status, statuses and results are drawn at random:
    most accepted, some rejected or sent back for correction with a reason; accepted ones
    get a final result.
    """
    seed = review.seed
    rng = random.Random(seed)
    rows = store.declarations(year_id, student_number=review.student_number)
    summary = ReviewSummary(0, {}, {})
    for row in rows:
        status, result, reason = review.status_id, review.final_result_id, review.description
        if seed is not None and status is None:
            status = rng.choices([1, 2, 3], weights=[70, 15, 15])[0]
            reason = rng.choice(REASONS[status]) if status in REASONS else None
            if result is None and status == 1:
                result = rng.choices([1, 2, 3], weights=[80, 10, 10])[0]
        summary.changed += store.set_review(year_id, row["student_number"], status, reason, result)
        if status is not None:
            summary.statuses[status] = summary.statuses.get(status, 0) + 1
        if result is not None:
            summary.results[result] = summary.results.get(result, 0) + 1
    return summary
