"""The strategy scorecard: indicator definitions, fact tables, computation, targets, official figures,
disclosure control, pages and the board report (R-S1 … R-S5). See ``docs/indicators.md``."""
