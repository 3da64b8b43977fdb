"""Shell completion of bound ids (click's completion completes the commands and options itself).

>>> [c.value for c in complete_bound_ids(None, None, "wang2020.linformer.k_r")]
['wang2020.linformer.k_rank']
"""

from __future__ import annotations


def complete_bound_ids(ctx, param, incomplete: str):
    """Bound and statement ids starting with what is typed (case-insensitive)."""
    from click.shell_completion import CompletionItem

    import tbounds.bounds as bounds

    typed = (incomplete or "").lower()
    out = []
    for bound_id in [*bounds.ids(), *bounds.statement_ids()]:
        if bound_id.lower().startswith(typed):
            out.append(CompletionItem(bound_id))
    return out
