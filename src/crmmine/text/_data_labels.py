"""Words of the data area (reading and cleaning): rule names and the notes of a cleaning audit."""

LABELS: dict[str, dict[str, str]] = {
    "reason.implausible_date": {"en": "Implausible date (placeholder or out of range)",
                                "zh": "日期不合理（占位值或超出范围）"},
    "clean.note.notable": {
        "en": "{description}: {lines:,} lines removed ({share_lines:.1%} of the lines, {share_amount:.1%} of the "
              "amount).",
        "zh": "{description}：删除 {lines:,} 行（占行数 {share_lines:.1%}，占金额 {share_amount:.1%}）。",
    },
    "clean.note.extreme_capped": {
        "en": "The extreme-value rule hit its cap: only the {flagged:,} most extreme lines ({share:.1%} of the lines) "
              "were removed; the data may simply be spread out (clean(..., skip_rules=['extreme_value']) keeps all).",
        "zh": "极端值规则达到上限：只删除了最极端的 {flagged:,} 行（占行数 {share:.1%}）；数据可能本身分布较广"
              "（clean(..., skip_rules=['extreme_value']) 可全部保留）。",
    },
    "clean.note.quantity_default": {
        "en": "The file has no quantity column: every line counts as quantity 1.",
        "zh": "文件没有数量列：每行数量按 1 计。",
    },
}
