// Command subscription-list is the Lambda function of the portal route "subscription-list".
package main

import "github.com/bank/devportal/shared/portal/wiring"

func main() { wiring.StartHTTP("subscription-list") }
