"""Recommendations: per-host plans, per-conflict advice, images and Compose suggestions."""

#: CPU seconds the plan of one host may take by default (`--plan-budget`); here, not in plan.py,
#: so the command line can show it without importing the search
PLAN_BUDGET = 2.0
