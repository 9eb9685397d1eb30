/// Tokens signed offline (keys thrown away) for the asymmetric verify benchmarks: the benchmark
/// target has no signer for RS256, ES256 or EdDSA, and verification needs only the public key.
/// Issued in 2023 (iat 1700000000), expiring in 2100 (exp 4102444800).
enum AsymmetricTokens {
    struct Signed { let alg: String; let publicKeyPEM: String; let token: String }
    static let userID = "benchasymmetric"
    static let all: [Signed] = [
        Signed(alg: "RS256", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA9fKBXZZQ/73Iji35Ia0A
qJzyNLkErgGg7fzBq6vYXcYv/ora4b5+YAh1w7CZqBayabpu1anoK03Sw4lQ7ptG
vcFfT2Y5dx1ivOy9oxcluRc0XIzfjfPwPKvC2XxSxjGCASu6FRU8Xl68ZfTa5lAq
8BYo+7ucRSkpubQDv9qPBHmHQp0Zb4ApGC+pwruUJLOvS3cD/oYcbdud1ybHkzbV
+FT0Egl5IFl3/5CobmlYg0ftmFtMwUOmoOfvYBebKRsN9L1uTJa+edRsEtZk9K2c
fil5rfKoNjs7gjn3X63YvvN6ZjATlznIyhZbAwuSBH5YbTMrtGX/84TY+QAGU4Xz
dwIDAQAB
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaGFzeW1tZXRyaWMiLCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMH0.BSpdysthrOPOiEsOLKL3bvsMdLcJP48mdmHfSX2qWvuiVundWxM-iRxjTmgbVJOSmCtFBEH1lnbEeszoszdqL-dhxfrrSyfRKrZSda7yQsNr1xc8H_w1U2RYZ2YocAgWyo6t2ciZG0OtnYPjeSlCReGdnwg7Xf9xJiIDvfzcrbIpSTMT61qNKF41oWVQmr8GhNmLyuE41dg6a9333Cjh_dCRcLbBL9KAmF509pfu2mPkwEp_keiKca7G0juMN-KRe-fxArYeye0bpa5ChI049XG4ChpCNdmI0klJA_MX1fPkv27QkXW-kTI_auMWWSK9C4rYLdImsqEO0IHrSF_0Ag"),
        Signed(alg: "ES256", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAE23sNnWCs3nvcfHe471dy3HI8gbsB
gnhHTZLTdL0VDquF6unAN/z319hrg5fosMPVljtaWVgnQJOUhh15SjlOUQ==
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaGFzeW1tZXRyaWMiLCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMH0.fl6vN3q8okt3EuQ1EJyYAiGZRoarmyzjXDZW-ia1A9-kk0DOLE6SUxOj3pA5gsqLTC7u4eYQMKZklA02VJbyXQ"),
        Signed(alg: "EdDSA", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEALEw3CW2LHTNO3B297wtLKFnxGrqmyygTOztiGBq3fLk=
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaGFzeW1tZXRyaWMiLCJleHAiOjQxMDI0NDQ4MDAsImlhdCI6MTcwMDAwMDAwMH0.5btSITz4gUpsVsJD2WwLdQDZvaLwW0-0XsDKWRTNEUOTUijtsAdMbmWfHDhW2KxSwRA7d5U9JK8iWOLy65wqAw"),
    ]
}
