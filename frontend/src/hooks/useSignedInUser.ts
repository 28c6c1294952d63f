import { useSyncExternalStore } from 'react';
import { useApi } from '../api/ApiContext';
import type { Permission } from '../api/types';
import { signedInUserOf, userCan, type SignedInUser } from './signedInUser';

export type { SignedInUser } from './signedInUser';

/** Who is signed in, with their role and permissions; fetched once per sign-in. */
export function useSignedInUser(): SignedInUser {
  const store = signedInUserOf(useApi());
  return useSyncExternalStore(store.subscribe, store.getSnapshot);
}

/** Whether the signed-in user may do what `permission` covers; false until that is known. */
export function useCan(permission: Permission): boolean {
  return userCan(useSignedInUser(), permission);
}
