export { ingestRoutes, timelineRoutes } from './ingest.routes';
export { IngestWriter, type EventOutcome } from './writer';
export { countEventsByProfileAndChannel, deleteEventsOfProfiles, listAllEventsOfProfiles, ingestMessages, type TimelineEvent } from './ingest.service';
export { LIMITS } from './validate';
