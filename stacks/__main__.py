"""The allmende Pulumi program: load the stack's blueprint, plan it, wire the plan. Nothing else."""

import pulumi

from allmende.engine_program import run

run(pulumi.get_stack())
