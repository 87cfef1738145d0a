"""Pure rules of screening: selection scores and their decomposition, the realistic wallet (quantile
model, cross-fitted), whitespace recommendations and segments. No Django."""
