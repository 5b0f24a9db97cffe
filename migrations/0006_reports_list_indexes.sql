DROP INDEX `progress_reports_key`;--> statement-breakpoint
DROP INDEX `progress_reports_unit`;--> statement-breakpoint
CREATE INDEX `progress_reports_open_updated` ON `progress_reports` (`updated_at`,`id`) WHERE "progress_reports"."state" IN ('draft', 'submitted', 'returned');--> statement-breakpoint
CREATE INDEX `progress_reports_state` ON `progress_reports` (`state`,`unit_id`);--> statement-breakpoint
CREATE INDEX `progress_reports_key` ON `progress_reports` (`measure_id`,`period`,`unit_id`,`state`,`updated_at`);--> statement-breakpoint
CREATE INDEX `progress_reports_unit` ON `progress_reports` (`unit_id`,`updated_at`,`id`);