-- Organisational units of an institution (DESIGN.md §4.1): a tree under an
-- organisation, kept through a screen and an import. Sponsors and guests
-- belong to units. Units are not parties: most faculties, departments and
-- sections are not in the register of legal entities.
create table org_unit (
    id             uuid primary key,
    institution_id uuid not null references party (id),
    code           text not null constraint org_unit_code_format check (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,31}$'),
    name_nb        text not null constraint org_unit_name_nb_given check (length(btrim(name_nb)) between 1 and 200),
    name_nn        text not null constraint org_unit_name_nn_given check (length(btrim(name_nn)) between 1 and 200),
    name_en        text not null constraint org_unit_name_en_given check (length(btrim(name_en)) between 1 and 200),
    parent_id      uuid references org_unit (id),
    created_at     timestamptz not null,
    updated_at     timestamptz not null,
    constraint org_unit_code_unique unique (institution_id, code),
    constraint org_unit_not_own_parent check (parent_id is null or parent_id <> id)
);
create index org_unit_parent on org_unit (parent_id);
