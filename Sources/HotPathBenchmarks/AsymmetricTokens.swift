/// Tokens signed offline (keys thrown away) for the asymmetric verify benchmarks: the benchmark
/// target has no signer for RS256, ES256 or EdDSA, and verification needs only the public key.
/// They expire in 2100 (exp 4102444800).
enum AsymmetricTokens {
    struct Signed { let alg: String; let publicKeyPEM: String; let token: String }
    static let userID = "bench-asymmetric"
    static let all: [Signed] = [
        Signed(alg: "RS256", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA2TXzp0bBEKLI6+oFwxhw
tr6dI2oEObRUggBjhko05ro0+1IQuGvGRa7Ycdmv7ar1NZntbYIYMxUQ0E0dQogv
u8keY/yP06Ss4vFCozPlhC048Cd1WNXAdSow+r1zz57mTgNLkhZoUmnqzoQixsZM
cYhsBpLZNKnskg61A/5rVGrP76bc2RgkpgK4PA1dUsyzRU/tk7WhxBNu5sWhTqan
THZg9uZ9R/xTIw2apqEsfmDMcV+mmdonncJRlM/Z1vC41uT+9tpGwre20W/4zBY0
hjx2Uv9h65B9xEf9os1E/QNKKpDAiLJyRQbuDBckV+ggUS4fc3MtURMZ5kH/ZE5G
uwIDAQAB
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaC1hc3ltbWV0cmljIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE4MDAwMDAwMDB9.oRe3UVEtpMa2cPGeCP1Oks4-tSc2S1KV2qxRacbRbinjHHKK0zXTTc4JYCHggnN6yA4qSQ5mZMFfPN0Cx4xyA9fJ6iJ_9iiIf6lzUkGrtMCZPDzJz0El3rQlcDzNgEuTy2mQGMyMAEgvS3RAJlcq-XS6EobOPhVEUKADBJEQ2uW6Y9nyTvVDTM-9RgtXpxLIF_9L1ko_Udl8rywV6YMxCU7xy0-3_bRZvtiAETeqyYKHEctd0KN5hfhuQWgUhVsa1g8zHUHUnqMzhUUaGuacWri8cZm_OR_6eUvwSZTYnygQlwlmImjPPvzgFdmoci7qtKK6GpFfpRkNQ8udf7mXHA"),
        Signed(alg: "ES256", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAESkqPM5gvt1KtLjSrzS6uh7fFOIUg
piS/vRmD4V+UIH3pNW/zpwfjiZ5ryicxlrW0WjO0fJsZ5KGAXuBRug4R7w==
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJFUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaC1hc3ltbWV0cmljIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE4MDAwMDAwMDB9.55npgbkBm51214jtw8fitKjLMxGQq26hQpfH2W19s_BMkvwEesvlb0E_McGGYsy328XzyP-Jl1uN7gl7rn1DeA"),
        Signed(alg: "EdDSA", publicKeyPEM: """
-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEAS4xUitnclrtvNbWwmPzgWq/wt1uTYKPax4qWVZ0QG2Q=
-----END PUBLIC KEY-----
""",
               token: "eyJhbGciOiJFZERTQSIsInR5cCI6IkpXVCJ9.eyJzdWIiOiJiZW5jaC1hc3ltbWV0cmljIiwiZXhwIjo0MTAyNDQ0ODAwLCJpYXQiOjE4MDAwMDAwMDB9.Ok7MiaNYB5r9A_FXzhNM6UrkM2nkxh8ZU4WYSKOnG021wxP3mz6uxihezWKPb22z9GEVHEdrlLsqATLJuUlpAg"),
    ]
}
