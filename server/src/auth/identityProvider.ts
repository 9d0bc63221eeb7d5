/**
 * Who a person is, as established by an identity provider. The password
 * provider is what runs today; an OIDC provider (HelseID, acr Level4 / "high")
 * verifies its ID token, maps the HPR number or national id to a user, and
 * returns the same VerifiedIdentity, after which SessionService issues the same
 * session (access + refresh token) whichever provider was used.
 */
export interface VerifiedIdentity {
  readonly userId: string;
  readonly method: 'password' | 'oidc';
  /** eIDAS-style level of assurance of the authentication itself. */
  readonly assurance: 'low' | 'substantial' | 'high';
}

export interface IdentityProvider<Credentials> {
  readonly id: string;
  /** Resolves the identity, or throws UNAUTHENTICATED without saying which part was wrong. */
  verify(credentials: Credentials): Promise<VerifiedIdentity>;
}
