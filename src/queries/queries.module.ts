import { Module } from '@nestjs/common';
import { CampaignsController } from './campaigns.controller';
import { ParticipantsController } from './participants.controller';
import { ProjectionsStatusController } from './projections-status.controller';
import { ReadYourWrites } from './read-your-writes';
import { ReferralsByDayController } from './referrals-by-day.controller';
import { ReferralsController } from './referrals.controller';
import { ReviewRequestsController } from './review-requests.controller';

@Module({
  controllers: [
    ParticipantsController,
    CampaignsController,
    ReferralsByDayController,
    ReferralsController,
    ReviewRequestsController,
    ProjectionsStatusController,
  ],
  providers: [ReadYourWrites],
})
export class QueriesModule {}
