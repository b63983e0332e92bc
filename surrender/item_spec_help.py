"""The `--item` shorthand explained once, for both the parser's errors and `log --help`
(kept apart so `--help` needs no parsing code)."""

ITEM_SPEC_HELP = (
    "KIND:BLADE[:FEATURE...], e.g. zombie-knife:9.5in:plain:point:holes=2 (a valued item adds"
    " :value=45:evidence=receipt). Features are the campaign's own (`surrender campaign show`"
    " lists them): a yes/no by its name or word (no-NAME for no), others NAME=VALUE, a choice"
    " also by its option alone. Presets: plain, point, spikes, at-handle, secondary, spine,"
    " tanto, reverse-tanto; serrated=LEN holes=N points=N. Always: value=GBP"
    " evidence=receipt|invoice|bank-statement|other acquired=DATE qty=N seal=TEXT desc=TEXT"
    " (the item, never its owner)."
)
