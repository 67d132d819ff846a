"""Reports for managers: the weekly recovery-rate summary (figures, renderers, charts, e-mail)."""
