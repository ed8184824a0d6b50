// Command subscription-create is the Lambda function of the portal route "subscription-create".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("subscription-create") }
