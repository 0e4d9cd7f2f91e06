export { authenticateShopper, channelOfSource, deleteCustomerTokensOfProfiles, mintCustomerToken, revokeCustomerToken, type CustomerToken, type Shopper } from './storefront.service';
