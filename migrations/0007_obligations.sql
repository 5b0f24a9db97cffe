CREATE TABLE `assignments` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`measure_id` integer NOT NULL,
	`unit_id` integer NOT NULL,
	`via_unit_id` integer,
	`origin` text NOT NULL,
	`assigned_at` text NOT NULL,
	`reason` text,
	`withdrawn_at` text,
	`withdrawn_reason` text,
	`acknowledged_at` text,
	`acknowledged_by_key_id` integer,
	`contact_name` text,
	`contact_phone` text,
	`closed_at` text,
	`closed_by_key_id` integer,
	`close_note` text,
	`version` integer DEFAULT 1 NOT NULL,
	FOREIGN KEY (`measure_id`) REFERENCES `measures`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`via_unit_id`) REFERENCES `units`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`acknowledged_by_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by_key_id`) REFERENCES `api_keys`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `assignments_measure_unit` ON `assignments` (`measure_id`,`unit_id`);--> statement-breakpoint
CREATE INDEX `assignments_unit` ON `assignments` (`unit_id`);--> statement-breakpoint
CREATE TABLE `measure_schedules` (
	`measure_id` integer NOT NULL,
	`position` integer NOT NULL,
	`kind` text NOT NULL,
	`due_date` text,
	`from_year` integer,
	`until_year` integer,
	`text` text NOT NULL,
	PRIMARY KEY(`measure_id`, `position`),
	FOREIGN KEY (`measure_id`) REFERENCES `measures`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `obligations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`assignment_id` integer NOT NULL,
	`kind` text NOT NULL,
	`period` text NOT NULL,
	`period_start` text NOT NULL,
	`period_end` text NOT NULL,
	`due_date` text NOT NULL,
	FOREIGN KEY (`assignment_id`) REFERENCES `assignments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `obligations_assignment_period` ON `obligations` (`assignment_id`,`period`,`due_date`);--> statement-breakpoint
CREATE INDEX `obligations_due` ON `obligations` (`due_date`);--> statement-breakpoint
ALTER TABLE `indicators` ADD `scope` text DEFAULT 'city' NOT NULL;--> statement-breakpoint
ALTER TABLE `indicators` ADD `combine` text;--> statement-breakpoint
ALTER TABLE `measures` ADD `owners_named` integer DEFAULT true NOT NULL;--> statement-breakpoint
CREATE INDEX `progress_reports_answers_completed` ON `progress_reports` (`unit_id`,`measure_id`,`status`,`period_end`,`period_start`,`reviewed_at`,`superseded_at`) WHERE "progress_reports"."state" IN ('approved', 'superseded');--> statement-breakpoint
CREATE INDEX `progress_reports_answers_sent` ON `progress_reports` (`unit_id`,`measure_id`,`period_end`,`period_start`,`submitted_at`,`created_at`) WHERE "progress_reports"."state" <> 'draft';--> statement-breakpoint
CREATE INDEX `report_returns_unit_measure` ON `report_returns` (`unit_id`,`measure_id`,`returned_at`);