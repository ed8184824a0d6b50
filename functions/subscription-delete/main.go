// Command subscription-delete is the Lambda function of the portal route "subscription-delete".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("subscription-delete") }
