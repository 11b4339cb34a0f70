"""The compare view: one scenario on two or three kernel configurations, side by side (docs/compare.md)."""
