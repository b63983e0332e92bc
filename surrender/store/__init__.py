"""Queries, one module per aggregate (surrenders, claims, staff, audit), each written once over
the table clauses of `surrender.tables` and each taking the `Scope` its caller may read."""
