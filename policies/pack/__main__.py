"""The allmende CrossGuard pack: built from the catalogue, nothing else.

Run: `pulumi preview --policy-pack ../policies/pack --policy-pack-config <file>` from `stacks/`,
with the file `allmende policy config STACK` writes.
"""

from pulumi_policy import EnforcementLevel, PolicyPack

from allmende.policies.crossguard import policies

PolicyPack(name="allmende-accountability", enforcement_level=EnforcementLevel.MANDATORY, policies=policies())
