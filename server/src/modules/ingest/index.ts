export { ingestRoutes, timelineRoutes } from './ingest.routes';
export { IngestWriter, type EventOutcome } from './writer';
export { deleteEventsOfProfiles, listAllEventsOfProfiles, ingestMessages, type TimelineEvent } from './ingest.service';
export { LIMITS } from './validate';
