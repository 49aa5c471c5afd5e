-- 0010: the areas of the social-services nomenclature (issue 15, decision
-- 0032). Never edit a landed migration: add one.
--
-- Projection tables like the others (rebuilt from the project document):
-- the areas the coordinator entered (`nomenclature.<code>{name}`), and on
-- each activity type the code of the area it is mapped to (NULL: not
-- mapped, or mapped to a code that is no longer an area). The project
-- document is marked stale below, so it is re-projected when the register
-- opens and a mapping that arrived before this upgrade gets its row.
ALTER TABLE activity_types ADD COLUMN nomenclature TEXT;

CREATE TABLE nomenclature_areas (
    code  TEXT PRIMARY KEY,
    name  TEXT NOT NULL
);

UPDATE documents SET projected_heads = NULL WHERE kind = 'project';
