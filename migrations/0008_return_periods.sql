DROP INDEX `report_returns_unit_measure`;--> statement-breakpoint
ALTER TABLE `report_returns` ADD `period_start` text;--> statement-breakpoint
ALTER TABLE `report_returns` ADD `period_end` text;--> statement-breakpoint
CREATE INDEX `report_returns_answers` ON `report_returns` (`unit_id`,`measure_id`,`period_end`,`period_start`,`returned_at`,`resolved_at`);--> statement-breakpoint
-- Returns recorded before this migration get their report's period days.
UPDATE `report_returns` SET
  `period_start` = (SELECT r.`period_start` FROM `progress_reports` r WHERE r.`id` = `report_returns`.`report_id`),
  `period_end` = (SELECT r.`period_end` FROM `progress_reports` r WHERE r.`id` = `report_returns`.`report_id`);--> statement-breakpoint
DROP TRIGGER `report_events_return_opens`;--> statement-breakpoint
CREATE TRIGGER `report_events_return_opens` AFTER INSERT ON `report_events` WHEN NEW.`action` = 'returned'
BEGIN
  INSERT INTO `report_returns` (`event_id`, `report_id`, `measure_id`, `unit_id`, `period`, `period_start`, `period_end`, `returned_at`, `note`)
  SELECT NEW.`id`, NEW.`report_id`, r.`measure_id`, r.`unit_id`, r.`period`, r.`period_start`, r.`period_end`, NEW.`at`, NEW.`note`
  FROM `progress_reports` r WHERE r.`id` = NEW.`report_id`;
END;
