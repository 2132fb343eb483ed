#!/usr/bin/env python
"""Fill a PostgreSQL database with a realistic NRM at scale, for the page benchmarks.

What the services would write, written set-wise in SQL (INSERT ... SELECT generate_series, no ORM
saves): two mandated NGOs sharing the cases, first responders, partners, the national
coordinators (10,000 users by default); a person per case with the derived search name; cases in
every stage over twenty years; one accepted referral per case plus declined ones, drafts and the
waiting intake queue (1,000 at a million cases); assignments of caseworkers with the guardian
object permissions they grant (revoked again on closed cases); identifications, rehabilitation
courses, court-support entries, reflection periods, partner referrals, alerts, a read-log entry per
case; and the history rows (django-simple-history) of each of them.

The secondary indexes and foreign keys of the tables written are dropped for the load and created
again after it, and the database is ANALYZEd at the end. See docs/performance.md.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/cms_scale \\
        nice -n 19 .venv/bin/python scripts/generate_scale_data.py --cases 1000000

It refuses a database that already has cases unless --reset is given (which empties every table
it writes). Every generated user's password is SCALE_PASSWORD (default "nrm-scale-2026!"); the
logins are printed at the end (scripts/benchmark_pages.py picks its users from them).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "trafficking_cms.settings")
os.environ.setdefault("LOG_LEVEL", "WARNING")

# The tables this script writes (history tables included); emptied by --reset.
TABLES = [
    "cases_organisation",
    "cases_user",
    "cases_userrole",
    "cases_person",
    "cases_case",
    "cases_caseassignment",
    "cases_caseuserobjectpermission",
    "cases_caseaccess",
    "cases_alert",
    "referrals_referral",
    "services_identification",
    "services_reflectionperiod",
    "rehabilitation_rehabilitationcourse",
    "rehabilitation_courtsupportentry",
    "reintegration_partnerreferral",
]
HISTORY = {
    "cases_organisation": "cases_historicalorganisation",
    "cases_user": "cases_historicaluser",
    "cases_userrole": "cases_historicaluserrole",
    "cases_person": "cases_historicalperson",
    "cases_case": "cases_historicalcase",
    "cases_caseassignment": "cases_historicalcaseassignment",
    "cases_caseuserobjectpermission": "cases_historicalcaseuserobjectpermission",
    "cases_alert": "cases_historicalalert",
    "referrals_referral": "referrals_historicalreferral",
    "services_identification": "services_historicalidentification",
    "services_reflectionperiod": "services_historicalreflectionperiod",
    "rehabilitation_rehabilitationcourse": "rehabilitation_historicalrehabilitationcourse",
    "rehabilitation_courtsupportentry": "rehabilitation_historicalcourtsupportentry",
    "reintegration_partnerreferral": "reintegration_historicalpartnerreferral",
}

GIVEN = [
    "Aija",
    "Anna",
    "Anastasija",
    "Agnese",
    "Baiba",
    "Daina",
    "Dace",
    "Elīna",
    "Evija",
    "Ilze",
    "Inga",
    "Ieva",
    "Jana",
    "Kristīne",
    "Laura",
    "Līga",
    "Linda",
    "Marija",
    "Natālija",
    "Olga",
    "Oksana",
    "Sandra",
    "Svetlana",
    "Tatjana",
    "Zane",
    "Andris",
    "Artūrs",
    "Dmitrijs",
    "Edgars",
    "Gatis",
    "Guntis",
    "Ivans",
    "Jānis",
    "Juris",
    "Kārlis",
    "Māris",
    "Mārtiņš",
    "Oļegs",
    "Pēteris",
    "Raivis",
    "Sergejs",
    "Uldis",
    "Valdis",
    "Viktors",
    "Vladimirs",
    "Aleksandrs",
    "Nikolajs",
    "Emīls",
    "Rihards",
    "Kristaps",
    "Ņina",
    "Ģirts",
    "Ķēniņa",
]
FAMILY = [
    "Bērziņa",
    "Ozoliņa",
    "Kalniņa",
    "Jansone",
    "Liepiņa",
    "Krūmiņa",
    "Balode",
    "Zariņa",
    "Kļaviņa",
    "Pētersone",
    "Vītola",
    "Lāce",
    "Eglīte",
    "Siliņa",
    "Grīnberga",
    "Kovalenko",
    "Ivanova",
    "Petrova",
    "Smirnova",
    "Kuzņecova",
    "Popova",
    "Vasiļjeva",
    "Bondarenko",
    "Melnyk",
    "Shevchenko",
    "Ozols",
    "Kalniņš",
    "Jansons",
    "Liepiņš",
    "Krūmiņš",
    "Zariņš",
    "Kļaviņš",
    "Pētersons",
    "Vītols",
    "Lācis",
    "Eglītis",
    "Siliņš",
    "Grīnbergs",
    "Ivanovs",
    "Petrovs",
    "Smirnovs",
    "Kuzņecovs",
    "Popovs",
    "Vasiļjevs",
    "Novikovs",
    "Morozovs",
    "Volkovs",
    "Sokolovs",
    "Lebedevs",
    "Kozlovs",
    "Pavlovs",
    "Semjonovs",
    "Gailis",
    "Gulbis",
    "Strauss",
    "Vanags",
    "Zvirbulis",
    "Dzenis",
    "Putniņš",
    "Rozītis",
    "Celmiņš",
    "Priede",
    "Kalējs",
    "Podnieks",
    "Zvejnieks",
    "Ābele",
    "Vējš",
]
DIACRITICS = ("āčēģīķļņšūžĀČĒĢĪĶĻŅŠŪŽ", "acegiklnsuzACEGIKLNSUZ")


def sql_array(words: list[str]) -> str:
    return "(ARRAY[" + ",".join("'" + w.replace("'", "''") + "'" for w in words) + "]::text[])"


def h(col: str, seed: int, mod: int) -> str:
    """A deterministic pseudo-random integer in [0, mod) from a row number (no random() state)."""
    return f"((abs(hashint8extended({col}::bigint, {seed})) % {mod})::int)"


class Loader:
    def __init__(self, cursor, verbose: bool = True):
        self.cur = cursor
        self.verbose = verbose
        self.t0 = time.perf_counter()

    def run(self, label: str, sql: str, params=None) -> None:
        t = time.perf_counter()
        self.cur.execute(sql, params)
        if self.verbose:
            print(
                f"  {time.perf_counter() - self.t0:7.1f}s  {label}  ({time.perf_counter() - t:.1f}s, {self.cur.rowcount} rows)",
                flush=True,
            )

    def columns(self, table: str) -> list[str]:
        self.cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = %s ORDER BY ordinal_position",
            [table],
        )
        return [r[0] for r in self.cur.fetchall()]

    def history(
        self, table: str, *, at: str, kind: str = "+", user: str = "NULL", where: str = "TRUE", join: str = ""
    ) -> None:
        """History rows as simple_history writes them: the row's values, when, what and who."""
        hist = HISTORY[table]
        shared = [c for c in self.columns(hist) if c in set(self.columns(table))]
        cols = ", ".join(shared)
        src = ", ".join(f"t.{c}" for c in shared)
        self.run(
            f"history {hist} ({kind})",
            f"INSERT INTO {hist} ({cols}, history_date, history_type, history_user_id, history_change_reason) "
            f"SELECT {src}, {at}, '{kind}', {user}, NULL FROM {table} t {join} WHERE {where}",
        )


def drop_indexes_and_fks(cur, tables: list[str]) -> tuple[list[str], list[str]]:
    """Drop the secondary indexes and foreign keys of the tables; return the statements that
    recreate them. Primary keys and unique constraints stay (their indexes back the constraints)."""
    cur.execute(
        """
        SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid)
        FROM pg_index i
        WHERE i.indrelid::regclass::text = ANY(%s) AND NOT i.indisprimary
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid)
        """,
        [tables],
    )
    indexes = cur.fetchall()
    cur.execute(
        """
        SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid)
        FROM pg_constraint WHERE contype = 'f' AND conrelid::regclass::text = ANY(%s)
        """,
        [tables],
    )
    fks = cur.fetchall()
    for table, name, _definition in fks:
        cur.execute(f'ALTER TABLE {table} DROP CONSTRAINT "{name}"')
    for name, _definition in indexes:
        cur.execute(f"DROP INDEX {name}")
    return (
        [definition for _name, definition in indexes],
        [f'ALTER TABLE {table} ADD CONSTRAINT "{name}" {definition}' for table, name, definition in fks],
    )


def model_defaults_for_the_load(cur, tables: list[str]) -> list[str]:
    """Give every NOT NULL column without a database default the model field's default, for the
    load, and return the statements that remove them again: the INSERTs below name the columns
    that carry data, and a field added later (with a Django-side default) must not break them."""
    import json
    from decimal import Decimal

    from django.apps import apps
    from django.db import connection

    fields = {}
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            fields[(model._meta.db_table, field.column)] = field
    cur.execute(
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_name = ANY(%s) AND is_nullable = 'NO' AND column_default IS NULL",
        [tables],
    )
    undo = []
    with connection.schema_editor(atomic=False) as editor:
        for table, column in cur.fetchall():
            field = fields.get((table, column))
            if field is None:
                continue
            value = field.get_default()  # the explicit default, or "" for a text field
            if value is None:
                continue
            if isinstance(value, dict | list):
                literal = editor.quote_value(json.dumps(value))
            elif isinstance(value, bool | int | str | Decimal):
                literal = editor.quote_value(value)
            else:
                continue
            cur.execute(f'ALTER TABLE {table} ALTER COLUMN "{column}" SET DEFAULT {literal}')
            undo.append(f'ALTER TABLE {table} ALTER COLUMN "{column}" DROP DEFAULT')
    return undo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--users", type=int, default=10_000)
    parser.add_argument("--reset", action="store_true", help="empty the tables this script writes first")
    args = parser.parse_args()

    import django

    django.setup()
    from django.contrib.auth.hashers import make_password
    from django.core.management import call_command
    from django.db import connection, transaction

    if connection.vendor != "postgresql":
        sys.exit("Point DATABASE_URL at a PostgreSQL database.")
    call_command("migrate", "--noinput", verbosity=0)

    n = args.cases
    scale = n / 1_000_000
    password = make_password(os.environ.get("SCALE_PASSWORD", "nrm-scale-2026!")).replace("'", "''")
    # About 14 % of the cases are open (recent ones); a caseworker holds about 500, as in a busy NGO.
    open_cases = n * 13 // 100
    caseworkers_per_ngo = max(2, round(open_cases / 500 / 2))
    coordinators_per_ngo = max(2, min(20, round(10 * scale) or 2))
    nationals = 5
    partners = 50
    first_responders = max(
        10, args.users - 2 * (caseworkers_per_ngo + coordinators_per_ngo) - nationals - 2 * partners
    )
    waiting = max(10, round(1000 * scale))

    # One transaction: a failure leaves the database as it was, indexes and foreign keys included.
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM cases_case")
        if cur.fetchone()[0] and not args.reset:
            sys.exit("The database has cases already: pass --reset to empty the generated tables first.")
        load = Loader(cur)
        cur.execute("SET synchronous_commit = off")
        cur.execute("SET maintenance_work_mem = '256MB'")
        cur.execute("SET work_mem = '64MB'")
        all_tables = TABLES + list(HISTORY.values()) + ["cases_historicalcaseaccess"]
        if args.reset:
            load.run("reset", f"TRUNCATE {', '.join(all_tables)} RESTART IDENTITY CASCADE")
        index_sql, fk_sql = drop_indexes_and_fks(cur, all_tables)
        print(f"dropped {len(index_sql)} indexes and {len(fk_sql)} foreign keys for the load", flush=True)
        defaults_undo = model_defaults_for_the_load(cur, all_tables)
        cur.execute(
            "SELECT id FROM auth_permission WHERE codename = 'view_case' AND content_type_id = "
            "(SELECT id FROM django_content_type WHERE app_label = 'cases' AND model = 'case')"
        )
        view_perm = cur.fetchone()[0]
        cur.execute(
            "SELECT id FROM auth_permission WHERE codename = 'change_case' AND content_type_id = "
            "(SELECT id FROM django_content_type WHERE app_label = 'cases' AND model = 'case')"
        )
        change_perm = cur.fetchone()[0]

        # --- organisations and users ------------------------------------------------------
        load.run(
            "organisations",
            """
            INSERT INTO cases_organisation (name, kind, municipality, country, email, is_active) VALUES
              ('Scale NGO A', 'mandated_ngo', '', '', 'ngo-a@example.invalid', true),
              ('Scale NGO B', 'mandated_ngo', '', '', 'ngo-b@example.invalid', true),
              ('Scale State police', 'police', '', '', '', true),
              ('Scale State border guard', 'border_guard', '', '', '', true),
              ('Scale Rīga social service', 'municipal_social_service', 'Rīga', '', '', true),
              ('Scale State Employment Agency', 'employment_agency', '', '', '', true),
              ('Scale Ministry of the Interior', 'ministry_interior', '', '', '', true)
            """,
        )
        cur.execute("SELECT kind, name, id FROM cases_organisation WHERE name LIKE 'Scale %%'")
        org = {name: pk for _kind, name, pk in cur.fetchall()}
        ngo_a, ngo_b = org["Scale NGO A"], org["Scale NGO B"]
        load.history("cases_organisation", at="now()")

        # (username prefix, count, organisation ids cycled, role)
        groups = [
            ("scale_cw_a_", caseworkers_per_ngo, [ngo_a], "caseworker"),
            ("scale_cw_b_", caseworkers_per_ngo, [ngo_b], "caseworker"),
            ("scale_coord_a_", coordinators_per_ngo, [ngo_a], "coordinator"),
            ("scale_coord_b_", coordinators_per_ngo, [ngo_b], "coordinator"),
            ("scale_national_", nationals, [org["Scale Ministry of the Interior"]], "national_coordinator"),
            ("scale_municipal_", partners, [org["Scale Rīga social service"]], "municipal_social_worker"),
            ("scale_employment_", partners, [org["Scale State Employment Agency"]], "employment_officer"),
            (
                "scale_fr_",
                first_responders,
                [org["Scale State police"], org["Scale State border guard"]],
                "first_responder",
            ),
        ]
        for prefix, count, orgs, role in groups:
            org_expr = f"(ARRAY{orgs}::bigint[])[1 + (k % {len(orgs)})]"
            load.run(
                f"users {prefix}*",
                f"""
                INSERT INTO cases_user (password, is_superuser, username, first_name, last_name, email,
                                        is_staff, is_active, date_joined, organisation_id)
                SELECT '{password}', false, '{prefix}' || k, {sql_array(GIVEN)}[1 + {h("k", 11, len(GIVEN))}],
                       {sql_array(FAMILY)}[1 + {h("k", 12, len(FAMILY))}], '{prefix}' || k || '@example.invalid',
                       false, true, now() - interval '3 years', {org_expr}
                FROM generate_series(0, {count - 1}) k
                """,
            )
            load.run(
                f"roles {role}",
                f"""
                INSERT INTO cases_userrole (user_id, role, granted_at, pending)
                SELECT id, '{role}', date_joined, false FROM cases_user WHERE username LIKE '{prefix}%%'
                """,
            )
        load.history("cases_user", at="date_joined")
        load.history("cases_userrole", at="granted_at")

        # Lookup tables: the k-th caseworker / coordinator / first responder of each organisation.
        load.run(
            "staff lookup",
            """
            CREATE TEMP TABLE _staff AS
            SELECT u.id, r.role, u.organisation_id AS org,
                   (row_number() OVER (
                       PARTITION BY r.role, CASE WHEN r.role = 'first_responder' THEN 0 ELSE u.organisation_id END
                       ORDER BY u.id) - 1)::int AS k
            FROM cases_user u JOIN cases_userrole r ON r.user_id = u.id;
            CREATE INDEX ON _staff (role, org, k);
            CREATE INDEX ON _staff (role, k);
            ANALYZE _staff;
            """,
        )

        # --- the plan of every case: one row per case, every later table derives from it ------
        stage = (
            f"CASE WHEN {h('i', 1, 1000)} < 170 THEN 'identification' "
            f"WHEN {h('i', 1, 1000)} < 370 THEN 'rehabilitation' WHEN {h('i', 1, 1000)} < 500 THEN 'reintegration' "
            "ELSE 'closed' END"
        )
        load.run(
            "case plan",
            f"""
            CREATE UNLOGGED TABLE _plan AS
            SELECT i, org, stage,
                   CASE WHEN stage = 'identification' THEN 'presumed'
                        WHEN stage = 'closed' AND {h("i", 2, 10)} < 3 THEN 'not_identified'
                        ELSE 'identified' END AS victim_status,
                   opened_on,
                   CASE WHEN stage = 'closed'
                        THEN least(now() - interval '1 day', opened_on + (30 + {h("i", 3, 700)}) * interval '1 day')
                   END AS closed_at,
                   CASE WHEN {h("i", 4, 100)} < 3 THEN 'high' WHEN {h("i", 4, 100)} < 20 THEN 'medium'
                        WHEN {h("i", 4, 100)} < 50 THEN 'low' ELSE '' END AS risk,
                   -- a case accepted from a referral is in identification from the start; the newest
                   -- (and a few more) still wait for a caseworker. Every later stage needed an
                   -- approved identification, hence a caseworker (cases/lifecycle.py).
                   NOT (stage = 'identification' AND ({h("i", 1, 1000)} < 20 OR {h("i", 5, 100)} < 3)) AS assigned,
                   {h("i", 6, caseworkers_per_ngo)} AS cw_k,
                   {h("i", 7, coordinators_per_ngo)} AS coord_k,
                   {h("i", 8, first_responders)} AS fr_k,
                   opened_on + time '09:00' + ({h("i", 9, 480)}) * interval '1 minute' AS created_at
            FROM (
              SELECT i, CASE WHEN i % 2 = 0 THEN {ngo_a} ELSE {ngo_b} END AS org, {stage} AS stage,
                     -- twenty years of cases, the newest with the highest id
                     current_date - ((({n} - i) * 7300) / {n})::int AS opened_on
              FROM generate_series(1::bigint, {n}) i
            ) s;
            -- open cases are recent: the older ones were mostly closed
            UPDATE _plan SET stage = 'closed', victim_status = 'identified', assigned = true,
                   closed_at = least(now() - interval '1 day', opened_on + (30 + {h("i", 3, 700)}) * interval '1 day')
            WHERE stage <> 'closed' AND opened_on < current_date - 730 AND {h("i", 10, 100)} < 80;
            ALTER TABLE _plan ADD PRIMARY KEY (i);
            ANALYZE _plan;
            """,
        )
        load.run(
            "staff ids in the plan",
            """
            CREATE UNLOGGED TABLE _plan2 AS
            SELECT p.*, cw.id AS cw_id, co.id AS coord_id, fr.id AS fr_id, fr.org AS fr_org
            FROM _plan p
            JOIN _staff cw ON cw.role = 'caseworker' AND cw.org = p.org AND cw.k = p.cw_k
            JOIN _staff co ON co.role = 'coordinator' AND co.org = p.org AND co.k = p.coord_k
            JOIN _staff fr ON fr.role = 'first_responder' AND fr.k = p.fr_k;
            DROP TABLE _plan;
            ALTER TABLE _plan2 RENAME TO _plan;
            ALTER TABLE _plan ADD PRIMARY KEY (i);
            ANALYZE _plan;
            """,
        )

        # --- people and cases ------------------------------------------------------------
        name = (
            f"{sql_array(GIVEN)}[1 + {h('i', 20, len(GIVEN))}]",
            f"{sql_array(FAMILY)}[1 + {h('i', 21, len(FAMILY))}]",
        )
        known = f"{h('i', 22, 100)} >= 4"
        load.run(
            "people",
            f"""
            INSERT INTO cases_person (id, given_name, family_name, other_names, search_name, date_of_birth,
                estimated_age, estimated_age_on, sex, citizenships, stateless, languages, phone, email,
                address, safe_contact_instructions, created_at, updated_at)
            SELECT i, g, f, '', CASE WHEN {known} THEN lower(translate(g || ' ' || f, '{DIACRITICS[0]}', '{DIACRITICS[1]}')) ELSE '' END,
                   CASE WHEN {known} THEN date '1960-01-01' + {h("i", 23, 16000)} END,
                   CASE WHEN NOT ({known}) THEN 20 + {h("i", 24, 30)} END,
                   CASE WHEN NOT ({known}) THEN opened_on END,
                   CASE WHEN {h("i", 25, 10)} < 7 THEN 'female' ELSE 'male' END,
                   CASE WHEN {h("i", 26, 10)} < 7 THEN 'LV' WHEN {h("i", 26, 10)} < 9 THEN 'UA' ELSE 'VN' END,
                   false, 'latviešu', '+371 2' || lpad(({h("i", 27, 10000000)})::text, 7, '0'), '', '', '',
                   created_at, created_at
            FROM (SELECT p.*, CASE WHEN {known} THEN {name[0]} ELSE '' END AS g,
                         CASE WHEN {known} THEN {name[1]} ELSE '' END AS f FROM _plan p) s
            """,
        )
        load.run(
            "cases",
            """
            INSERT INTO cases_case (id, reference, year, number, person_id, organisation_id, stage, victim_status,
                opened_on, closed_at, close_reason, risk_level, created_at, updated_at)
            SELECT i, 'NRM-' || y || '-' || CASE WHEN num < 10000 THEN lpad(num::text, 4, '0') ELSE num::text END, y, num, i, org, stage, victim_status,
                   opened_on, closed_at, CASE WHEN closed_at IS NOT NULL THEN 'Assistance completed.' ELSE '' END,
                   risk, created_at, coalesce(closed_at, created_at)
            FROM (SELECT p.*, extract(year FROM opened_on)::int AS y,
                         row_number() OVER (PARTITION BY extract(year FROM opened_on) ORDER BY i) AS num
                  FROM _plan p) s
            """,
        )
        load.history("cases_person", at="t.created_at")
        load.history(
            "cases_case",
            at="t.created_at",
            user="p.coord_id",
            join="JOIN _plan p ON p.i = t.id",
        )
        load.run(
            "history cases_historicalcase (~ stage changes)",
            """
            UPDATE cases_historicalcase SET stage = 'identification', victim_status = 'presumed',
                   closed_at = NULL, close_reason = '' WHERE history_type = '+' AND stage <> 'referral';
            INSERT INTO cases_historicalcase (id, reference, year, number, stage, victim_status, opened_on,
                closed_at, close_reason, created_at, updated_at, organisation_id, person_id, risk_level,
                history_date, history_type, history_user_id, history_change_reason)
            SELECT c.id, c.reference, c.year, c.number, c.stage, c.victim_status, c.opened_on, c.closed_at,
                   c.close_reason, c.created_at, c.updated_at, c.organisation_id, c.person_id, c.risk_level,
                   c.updated_at + interval '1 second', '~', p.coord_id, NULL
            FROM cases_case c JOIN _plan p ON p.i = c.id WHERE c.stage NOT IN ('referral', 'identification')
            """,
        )

        # --- assignments and the guardian permissions they grant -----------------------------
        load.run(
            "assignments",
            """
            INSERT INTO cases_caseassignment (case_id, user_id, assigned_by_id, assigned_at, ended_at, ended_by_id)
            SELECT i, cw_id, coord_id, created_at + interval '1 hour', closed_at,
                   CASE WHEN closed_at IS NOT NULL THEN coord_id END
            FROM _plan WHERE assigned
            """,
        )
        load.history("cases_caseassignment", at="t.assigned_at", user="t.assigned_by_id")
        load.history(
            "cases_caseassignment",
            at="t.ended_at",
            kind="~",
            user="t.ended_by_id",
            where="t.ended_at IS NOT NULL",
        )
        load.run(
            "object permissions",
            f"""
            INSERT INTO cases_caseuserobjectpermission (content_object_id, permission_id, user_id)
            SELECT a.case_id, perm, a.user_id FROM cases_caseassignment a
            CROSS JOIN (VALUES ({view_perm}), ({change_perm})) v(perm) WHERE a.ended_at IS NULL
            """,
        )
        load.history(
            "cases_caseuserobjectpermission",
            at="a.assigned_at",
            user="a.assigned_by_id",
            join="JOIN cases_caseassignment a ON a.case_id = t.content_object_id AND a.user_id = t.user_id "
            "AND a.ended_at IS NULL",
        )
        load.run(
            "read log",
            """
            INSERT INTO cases_caseaccess (case_id, user_id, organisation_id, reader_name, kind, at)
            SELECT i, cw_id, org, 'Caseworker', 'view', created_at + interval '2 hours' FROM _plan WHERE assigned
            """,
        )

        # --- referrals: one accepted per case, declined ones, drafts and the waiting queue -----
        referral_cols = (
            "status, given_name, family_name, other_names, date_of_birth, estimated_age, sex, citizenships, "
            "languages, phone, email, address, met_on, met_place, indicators, indicators_notes, "
            "forms_of_exploitation, country_of_exploitation, urgent_needs, consent, submitted_at, decided_at, "
            "decline_reason, created_at, updated_at, case_id, created_by_id, decided_by_id, "
            "intake_organisation_id, organisation_id, person_id"
        )
        load.run(
            "referrals (accepted)",
            f"""
            INSERT INTO referrals_referral ({referral_cols})
            SELECT 'accepted', pe.given_name, pe.family_name, '', pe.date_of_birth, pe.estimated_age, pe.sex,
                   pe.citizenships, '', '', '', '', p.opened_on - 2, 'Rīga',
                   '["debt_bondage", "withheld_documents"]'::jsonb, '', '["forced_labour"]'::jsonb, 'GB',
                   '["shelter"]'::jsonb, true, p.created_at - interval '1 day', p.created_at, '',
                   p.created_at - interval '1 day', p.created_at, p.i, p.fr_id, p.coord_id, p.org, p.fr_org, p.i
            FROM _plan p JOIN cases_person pe ON pe.id = p.i
            """,
        )
        extra = max(10, n // 10)
        load.run(
            "referrals (declined, drafts, waiting)",
            f"""
            INSERT INTO referrals_referral ({referral_cols})
            SELECT CASE WHEN g.n < {waiting} THEN 'submitted' WHEN g.n % 3 = 0 THEN 'draft' ELSE 'declined' END,
                   {sql_array(GIVEN)}[1 + {h("g.n", 30, len(GIVEN))}], {sql_array(FAMILY)}[1 + {h("g.n", 31, len(FAMILY))}],
                   '', NULL, 20 + {h("g.n", 32, 30)}, 'female', 'LV', '', '', '', '', current_date - 3, 'Rīga',
                   '["threats_violence"]'::jsonb, '', '["sexual"]'::jsonb, 'DE', '[]'::jsonb, true,
                   CASE WHEN g.n < {waiting} THEN now() - ({h("g.n", 33, 20 * 24)}) * interval '1 hour'
                        WHEN g.n % 3 = 0 THEN NULL ELSE now() - ({h("g.n", 33, 7000)}) * interval '1 day' END,
                   CASE WHEN g.n >= {waiting} AND g.n % 3 <> 0 THEN now() - ({h("g.n", 33, 7000)}) * interval '1 day' + interval '2 days' END,
                   CASE WHEN g.n >= {waiting} AND g.n % 3 <> 0 THEN 'No indicators of trafficking.' ELSE '' END,
                   now() - ({h("g.n", 33, 7000)}) * interval '1 day', now() - ({h("g.n", 33, 7000)}) * interval '1 day',
                   NULL, fr.id,
                   CASE WHEN g.n >= {waiting} AND g.n % 3 <> 0 THEN co.id END,
                   CASE WHEN g.n >= {waiting} AND g.n % 3 <> 0 THEN co.org END, fr.org, NULL
            FROM generate_series(0, {extra - 1}) g(n)
            JOIN _staff fr ON fr.role = 'first_responder' AND fr.k = {h("g.n", 34, first_responders)}
            JOIN _staff co ON co.role = 'coordinator' AND co.org = {ngo_a} AND co.k = 0
            """,
        )
        load.history("referrals_referral", at="t.created_at", user="t.created_by_id")

        # --- identification, reflection, rehabilitation, court support, partners, alerts -------
        load.run(
            "identifications",
            """
            INSERT INTO services_identification (case_id, ground, outcome, outcome_reason, cp_case_number, cp_date,
                cp_body, le_institution, le_country, le_number, le_date, commission_date, commission_members,
                status, proposed_at, decided_at, return_reason, proposed_by_id, decided_by_id)
            SELECT i, 'expert_commission_report',
                   CASE WHEN victim_status = 'not_identified' THEN 'not_identified' ELSE 'identified' END,
                   CASE WHEN victim_status = 'not_identified' THEN 'The indicators were not confirmed.' ELSE '' END,
                   '', NULL, '', '', '', '', NULL, opened_on + 10, '[{"name": "Expert 1", "profession": "psychologist"}, {"name": "Expert 2", "profession": "lawyer"}]'::jsonb,
                   CASE WHEN stage = 'identification' THEN 'proposed' ELSE 'approved' END,
                   created_at + interval '10 days',
                   CASE WHEN stage = 'identification' THEN NULL ELSE created_at + interval '12 days' END, '',
                   cw_id, CASE WHEN stage = 'identification' THEN NULL ELSE coord_id END
            FROM _plan WHERE assigned AND (stage <> 'identification' OR i % 3 = 0)
            """,
        )
        load.history("services_identification", at="t.proposed_at", user="t.proposed_by_id")
        load.run(
            "reflection periods",
            """
            INSERT INTO services_reflectionperiod (case_id, start_date, last_day, status, ended_on, recorded_by_id)
            SELECT p.i, p.opened_on, p.opened_on + 29,
                   CASE WHEN p.opened_on + 29 < current_date THEN 'ended' ELSE 'running' END,
                   CASE WHEN p.opened_on + 29 < current_date THEN p.opened_on + 29 END, p.cw_id
            FROM _plan p JOIN cases_person pe ON pe.id = p.i
            WHERE p.assigned AND pe.citizenships IN ('UA', 'VN')
            """,
        )
        load.history("services_reflectionperiod", at="now()", user="t.recorded_by_id")
        load.run(
            "rehabilitation courses",
            f"""
            INSERT INTO rehabilitation_rehabilitationcourse (case_id, start_date, last_day, status, ended_on,
                end_reason, ended_at, created_at, recorded_by_id)
            SELECT i, s, s + 179,
                   CASE WHEN stage = 'rehabilitation' THEN 'active' ELSE 'completed' END,
                   CASE WHEN stage = 'rehabilitation' THEN NULL ELSE s + 179 END, '',
                   CASE WHEN stage = 'rehabilitation' THEN NULL ELSE (s + 179) + time '17:00' END,
                   s + time '10:00', cw_id
            FROM (SELECT p.*, CASE WHEN stage = 'rehabilitation'
                                   THEN greatest(opened_on + 14, current_date - {h("i", 40, 190)})
                                   ELSE opened_on + 14 END AS s
                  FROM _plan p WHERE assigned AND victim_status = 'identified'
                    AND stage IN ('rehabilitation', 'reintegration', 'closed')) q
            WHERE stage <> 'rehabilitation' OR s < current_date
            """,
        )
        load.history("rehabilitation_rehabilitationcourse", at="t.created_at", user="t.recorded_by_id")
        load.run(
            "court-support entries",
            f"""
            INSERT INTO rehabilitation_courtsupportentry (case_id, date, hours, activity, created_at, recorded_by_id)
            SELECT c.case_id, c.start_date + e, (1 + {h("c.id * 3 + e", 41, 24)}) * 0.25, 'Hearing', c.created_at + e * interval '1 day',
                   c.recorded_by_id
            FROM rehabilitation_rehabilitationcourse c CROSS JOIN generate_series(1, 3) e
            WHERE {h("c.case_id", 42, 100)} < 20 AND c.start_date + e <= current_date
            """,
        )
        load.history("rehabilitation_courtsupportentry", at="t.created_at", user="t.recorded_by_id")
        municipal = org["Scale Rīga social service"]
        load.run(
            "partner referrals",
            f"""
            INSERT INTO reintegration_partnerreferral (case_id, needs_note, status, referred_at, withdrawn_at,
                withdraw_reason, completed_at, outcome, partner_id, referred_by_id)
            SELECT i, 'Housing and employment.', 'active', created_at + interval '200 days', NULL, '', NULL, '',
                   {municipal}, cw_id
            FROM _plan WHERE assigned AND stage = 'reintegration'
            """,
        )
        load.history("reintegration_partnerreferral", at="t.referred_at", user="t.referred_by_id")
        load.run(
            "alerts",
            f"""
            INSERT INTO cases_alert (case_id, kind, due_on, created_at, notified_at)
            SELECT case_id, 'course_ends_soon', last_day, now() - interval '1 day', now() - interval '1 day'
            FROM rehabilitation_rehabilitationcourse
            WHERE status = 'active' AND last_day BETWEEN current_date - 14 AND current_date + 14
              AND {h("case_id", 43, 100)} < 60
            """,
        )
        load.history("cases_alert", at="t.created_at")

        # --- sequences, indexes, statistics --------------------------------------------------
        for table in ("cases_person", "cases_case"):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
            )
        cur.execute("DROP TABLE _plan")
        for statement in defaults_undo:
            cur.execute(statement)
        for statement in index_sql:
            load.run(statement.split(" ON ")[0].replace("CREATE INDEX ", "index "), statement)
        for statement in fk_sql:
            load.run(statement.split(" ADD CONSTRAINT ")[1].split(" ")[0], statement)
        load.run("analyze", "ANALYZE")

    print(
        f"\n{n:,} cases in {time.perf_counter() - load.t0:.0f} s. Logins (password SCALE_PASSWORD): "
        f"scale_cw_a_0..{caseworkers_per_ngo - 1} (caseworkers of NGO A), scale_coord_a_0 (its coordinator), "
        f"scale_national_0 (national coordinator), scale_fr_0 (a first responder)."
    )


if __name__ == "__main__":
    main()
