CREATE TABLE `report_returns` (
	`event_id` integer PRIMARY KEY NOT NULL,
	`report_id` integer NOT NULL,
	`measure_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`period` text NOT NULL,
	`returned_at` text NOT NULL,
	`note` text,
	`resolved_at` text,
	FOREIGN KEY (`event_id`) REFERENCES `report_events`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`report_id`) REFERENCES `progress_reports`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `report_returns_open` ON `report_returns` (`returned_at`) WHERE "report_returns"."resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX `report_returns_open_report` ON `report_returns` (`report_id`) WHERE "report_returns"."resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX `report_returns_resolved` ON `report_returns` (`resolved_at`,`returned_at`) WHERE "report_returns"."resolved_at" IS NOT NULL;--> statement-breakpoint
DROP INDEX `progress_reports_returned`;--> statement-breakpoint
DROP INDEX `progress_reports_approved_measure`;--> statement-breakpoint
DROP INDEX `progress_reports_approved_unit`;--> statement-breakpoint
CREATE INDEX `progress_reports_approved_measure` ON `progress_reports` (`measure_id`,`period_end`,`reviewed_at`,`superseded_at`,`status`,`unit_id`,`period`) WHERE "progress_reports"."state" IN ('approved', 'superseded');--> statement-breakpoint
CREATE INDEX `progress_reports_approved_unit` ON `progress_reports` (`unit_id`,`measure_id`,`period_end`,`status`,`reviewed_at`,`superseded_at`) WHERE "progress_reports"."state" IN ('approved', 'superseded');--> statement-breakpoint
DROP INDEX `report_events_returned`;--> statement-breakpoint
-- Returns recorded before this migration: resolved by the first later step that left the returned state.
INSERT INTO `report_returns` (`event_id`, `report_id`, `measure_id`, `unit_id`, `period`, `returned_at`, `note`, `resolved_at`)
SELECT e.`id`, e.`report_id`, r.`measure_id`, r.`unit_id`, r.`period`, e.`at`, e.`note`,
  (SELECT min(later.`at`) FROM `report_events` later
   WHERE later.`report_id` = e.`report_id` AND later.`id` > e.`id` AND later.`to_state` <> 'returned')
FROM `report_events` e JOIN `progress_reports` r ON r.`id` = e.`report_id` WHERE e.`action` = 'returned';--> statement-breakpoint
CREATE TRIGGER `report_events_return_opens` AFTER INSERT ON `report_events` WHEN NEW.`action` = 'returned'
BEGIN
  INSERT INTO `report_returns` (`event_id`, `report_id`, `measure_id`, `unit_id`, `period`, `returned_at`, `note`)
  SELECT NEW.`id`, NEW.`report_id`, r.`measure_id`, r.`unit_id`, r.`period`, NEW.`at`, NEW.`note`
  FROM `progress_reports` r WHERE r.`id` = NEW.`report_id`;
END;--> statement-breakpoint
CREATE TRIGGER `report_events_return_closes` AFTER INSERT ON `report_events` WHEN NEW.`to_state` <> 'returned'
BEGIN
  UPDATE `report_returns` SET `resolved_at` = NEW.`at` WHERE `report_id` = NEW.`report_id` AND `resolved_at` IS NULL;
END;
