import { sql, type Kysely } from 'kysely';

// Frozen once merged: never import application code here.
// One statement per query: PGlite's extended protocol takes no multi-statement strings.
const statements = (ddl: string) => ddl.split(/;\s*$/m).map((s) => s.trim()).filter(Boolean);

export async function up(db: Kysely<any>): Promise<void> {
  for (const s of statements(`
    -- Schools are organization rows (kind 'school'); their id is the roster sourcedId.
    -- A class of a school (OneRoster classes.csv, or entered by hand).
    create table roster_class (
      id text primary key,
      school_id text not null references organization(id),
      title text not null,
      grades text[] not null default '{}',
      -- The framework its learning map shows by default (CFDocument identifier).
      framework_identifier text,
      source text not null check (source in ('manual', 'oneroster')),
      updated_at timestamptz not null default now()
    );
    create index roster_class_school_idx on roster_class (school_id);

    -- A person of a roster (OneRoster users.csv): only what Shirube needs. A student is a learner (LRS) and may sign
    -- in (app_user, without a password: OIDC); a teacher is an app_user.
    create table roster_person (
      id text primary key,
      school_id text references organization(id),
      role text not null check (role in ('student', 'teacher', 'administrator')),
      display_name text not null,
      kana text,
      -- Matched against the OIDC claim (lower case).
      email text,
      user_id text unique references app_user(id) on delete set null,
      learner_id text unique references learner(id) on delete set null,
      source text not null check (source in ('manual', 'oneroster')),
      updated_at timestamptz not null default now()
    );
    create index roster_person_email_idx on roster_person (email);
    create index roster_person_school_idx on roster_person (school_id);

    create table enrollment (
      class_id text not null references roster_class(id) on delete cascade,
      person_id text not null references roster_person(id) on delete cascade,
      role text not null check (role in ('teacher', 'student')),
      source text not null check (source in ('manual', 'oneroster')),
      primary key (class_id, person_id)
    );
    create index enrollment_person_idx on enrollment (person_id);

    -- Proficiency rule per framework (item_id '') or per item.
    create table proficiency_rule (
      framework_identifier text not null,
      item_id text not null default '',
      rule jsonb not null,
      primary key (framework_identifier, item_id)
    );

    -- Teacher labels (A/B/C thresholds) per framework.
    create table label_scheme (
      framework_identifier text primary key,
      scheme jsonb not null
    );

    -- Mastery of one learner on one item at the end of each day with answers, maintained from evidence as it is
    -- written (src/progress/mastery.ts): the state as of any date is the latest row on or before it.
    create table mastery_day (
      learner_id text not null references learner(id) on delete cascade,
      item_id text not null,
      day date not null,
      -- Bayesian Knowledge Tracing p(mastered) after the day's last answer.
      p double precision not null,
      -- Cumulative answers and correct answers; the day's own.
      attempts integer not null,
      correct integer not null,
      day_attempts integer not null,
      day_correct integer not null,
      -- The last answers (newest last, at most 20) as [epoch seconds, score]: the rule's window.
      recent jsonb not null,
      last_at timestamptz not null,
      primary key (learner_id, item_id, day)
    );
    create index mastery_day_item_idx on mastery_day (item_id);

    -- OpenID Connect sign-in per school (GIGA school accounts: Google Workspace, Microsoft 365).
    create table oidc_provider (
      organization_id text primary key references organization(id) on delete cascade,
      issuer text not null,
      client_id text not null,
      client_secret text not null,
      label text not null,
      claim text not null default 'email',
      enabled boolean not null default true
    );

    -- (issuer, sub) pairs already matched to an account.
    create table oidc_identity (
      issuer text not null,
      subject text not null,
      user_id text not null references app_user(id) on delete cascade,
      primary key (issuer, subject)
    );
    create index oidc_identity_user_idx on oidc_identity (user_id)
  `)) {
    await sql.raw(s).execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table oidc_identity, oidc_provider, mastery_day, label_scheme, proficiency_rule, enrollment, roster_person, roster_class`.execute(db);
}
