// Hostile IdPs, part 2: the accounts endpoint, account pictures and client metadata.
import { hostileSuite } from './suite.js';
import { accountsCases } from './cases/accounts.js';
import { pictureCases } from './cases/pictures.js';
import { clientMetadataCases } from './cases/client-metadata.js';

hostileSuite('hostile: accounts, pictures, client metadata', [...accountsCases, ...pictureCases, ...clientMetadataCases]);
