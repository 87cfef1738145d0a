"""kampass.core: the pure domain of kampass. Never imports Django."""
