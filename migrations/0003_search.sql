-- Hand-written: full-text search over the catalogue (FTS5 is not expressible in the Drizzle schema).
-- The trigram tokenizer indexes every run of three characters, so a quoted phrase matches any substring of
-- three or more characters (Chinese has no spaces to split words on); shorter queries fall back to LIKE.
-- Each index is a regular FTS5 table holding its own copy of the text, keyed by the source row's id (rowid);
-- triggers keep it in step with the source tables, which is also what fills it when the seed loads into a
-- fresh database after the migrations ran. Re-running any statement leaves the same state (IF NOT EXISTS,
-- rebuild = delete + insert).
CREATE VIRTUAL TABLE IF NOT EXISTS `tasks_fts` USING fts5(`title`, tokenize = 'trigram');
--> statement-breakpoint
CREATE VIRTUAL TABLE IF NOT EXISTS `measures_fts` USING fts5(`text`, `targets`, tokenize = 'trigram');
--> statement-breakpoint
-- `aliases` holds a unit's other spellings separated by a newline: queries cannot contain control characters,
-- so no match spans two aliases.
CREATE VIRTUAL TABLE IF NOT EXISTS `units_fts` USING fts5(`name`, `aliases`, tokenize = 'trigram');
--> statement-breakpoint
DELETE FROM `tasks_fts`;
--> statement-breakpoint
INSERT INTO `tasks_fts` (`rowid`, `title`) SELECT `id`, `title` FROM `tasks`;
--> statement-breakpoint
DELETE FROM `measures_fts`;
--> statement-breakpoint
INSERT INTO `measures_fts` (`rowid`, `text`, `targets`) SELECT `id`, `text`, `targets_text` FROM `measures`;
--> statement-breakpoint
DELETE FROM `units_fts`;
--> statement-breakpoint
INSERT INTO `units_fts` (`rowid`, `name`, `aliases`)
  SELECT `id`, `name`, (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = `units`.`id`)
  FROM `units`;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `tasks_fts_insert` AFTER INSERT ON `tasks` BEGIN
  INSERT INTO `tasks_fts` (`rowid`, `title`) VALUES (new.`id`, new.`title`);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `tasks_fts_update` AFTER UPDATE OF `id`, `title` ON `tasks` BEGIN
  DELETE FROM `tasks_fts` WHERE `rowid` = old.`id`;
  INSERT INTO `tasks_fts` (`rowid`, `title`) VALUES (new.`id`, new.`title`);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `tasks_fts_delete` AFTER DELETE ON `tasks` BEGIN
  DELETE FROM `tasks_fts` WHERE `rowid` = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `measures_fts_insert` AFTER INSERT ON `measures` BEGIN
  INSERT INTO `measures_fts` (`rowid`, `text`, `targets`) VALUES (new.`id`, new.`text`, new.`targets_text`);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `measures_fts_update` AFTER UPDATE OF `id`, `text`, `targets_text` ON `measures` BEGIN
  DELETE FROM `measures_fts` WHERE `rowid` = old.`id`;
  INSERT INTO `measures_fts` (`rowid`, `text`, `targets`) VALUES (new.`id`, new.`text`, new.`targets_text`);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `measures_fts_delete` AFTER DELETE ON `measures` BEGIN
  DELETE FROM `measures_fts` WHERE `rowid` = old.`id`;
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `units_fts_insert` AFTER INSERT ON `units` BEGIN
  INSERT INTO `units_fts` (`rowid`, `name`, `aliases`) VALUES (new.`id`, new.`name`,
    (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = new.`id`));
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `units_fts_update` AFTER UPDATE OF `id`, `name` ON `units` BEGIN
  DELETE FROM `units_fts` WHERE `rowid` = old.`id`;
  INSERT INTO `units_fts` (`rowid`, `name`, `aliases`) VALUES (new.`id`, new.`name`,
    (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = new.`id`));
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `units_fts_delete` AFTER DELETE ON `units` BEGIN
  DELETE FROM `units_fts` WHERE `rowid` = old.`id`;
END;
--> statement-breakpoint
-- An alias change rewrites the `aliases` column of the unit(s) it belongs to (before and after the change).
CREATE TRIGGER IF NOT EXISTS `unit_aliases_fts_insert` AFTER INSERT ON `unit_aliases` BEGIN
  UPDATE `units_fts` SET `aliases` =
    (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = new.`unit_id`)
  WHERE `rowid` = new.`unit_id`;
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `unit_aliases_fts_update` AFTER UPDATE ON `unit_aliases` BEGIN
  UPDATE `units_fts` SET `aliases` =
    (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = `units_fts`.`rowid`)
  WHERE `rowid` IN (old.`unit_id`, new.`unit_id`);
END;
--> statement-breakpoint
CREATE TRIGGER IF NOT EXISTS `unit_aliases_fts_delete` AFTER DELETE ON `unit_aliases` BEGIN
  UPDATE `units_fts` SET `aliases` =
    (SELECT coalesce(group_concat(`alias`, char(10) ORDER BY `alias`), '') FROM `unit_aliases` WHERE `unit_id` = old.`unit_id`)
  WHERE `rowid` = old.`unit_id`;
END;
