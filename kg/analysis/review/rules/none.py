"""Claims no evidence rule applies to: opinions, intentions, predictions, claims without a kind.

No evidence rule applies (an opinion, intention or prediction, or a claim without a kind): unverifiable,
never guessed.
"""

from __future__ import annotations

from typing import Any

from kg.analysis.review.evidence import Decision
from kg.terms import slug_of

__all__ = ["QUERY", "decide"]

QUERY = "review_claim"
"""The named query whose rows describe the claim; it stands as the rule of claims without one."""


def decide(kind: str | None, claim: dict[str, Any]) -> Decision:
    """Rate a claim that no evidence rule applies to: unverifiable, with the reason why.

    Parameters
    ----------
    kind : str or None
        The claim's kind (``"opinion"``, or None for a claim without ``aikg:claimKind``).
    claim : dict
        The claim as recorded; its ``stance`` tells a prediction or warning from a judgement.

    Returns
    -------
    Decision
        ``("unverifiable", reason, [])``.
    """
    stance = slug_of(claim.get("stance") or "")
    if kind == "opinion":
        what = {"Predicts": "a prediction about the future", "Warns": "a statement of intent or a warning"}.get(
            stance, "a judgement of quality or value"
        )
        return (
            "unverifiable",
            f"This is {what}: no fact in the graph can confirm or refute it, and the review does not guess.",
            [],
        )
    return ("unverifiable", "The claim has no kind (aikg:claimKind), so no evidence rule applies to it.", [])
