// Command subscription-create is the Lambda function of the portal route "subscription-create".
package main

import "github.com/bank/devportal/shared/app"

func main() { app.StartHTTP("subscription-create") }
