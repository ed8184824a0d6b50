// Command password-policy is the Lambda function of the portal route "password-policy".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("password-policy") }
